"use client";
import { useState } from "react";
import type { ImportBatchView } from "@/lib/imports/types";
import { Button, ErrorNote } from "../ui";
import { getImport } from "./import-api";
import { ImportResult } from "./import-result";

export function RecentImports({ projectId, recent }: { projectId: string; recent: ImportBatchView[] }) {
  const [open, setOpen] = useState<ImportBatchView | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (recent.length === 0) return <p className="text-sm text-muted">No imports yet.</p>;
  return (
    <div className="space-y-3">
      <table className="w-full text-left text-sm">
        <thead className="text-muted">
          <tr>
            <th className="py-1 font-normal">Started</th>
            <th className="py-1 font-normal">Status</th>
            <th className="py-1 font-normal">Imported</th>
            <th className="py-1 font-normal">Duplicates</th>
            <th className="py-1 font-normal">Failed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {recent.map((b) => (
            <tr key={b.id} className="border-t border-line">
              <td className="py-1">{new Date(b.createdAt).toLocaleString()}</td>
              <td className="py-1">{b.status.toLowerCase()}</td>
              <td className="py-1">{b.imported}</td>
              <td className="py-1">{b.duplicates}</td>
              <td className="py-1">{b.failed}</td>
              <td className="py-1 text-right">
                <Button
                  variant="ghost"
                  onClick={() => getImport(projectId, b.id).then(setOpen, (e) => setError(e.message))}
                >
                  Report
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote message={error} />
      {open ? <ImportResult batch={open} local={[]} /> : null}
    </div>
  );
}
