"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type { TaskView } from "@/lib/drawing/types";
import { ErrorNote } from "@/app/_components/ui";
import { claimNext } from "./draw-api";
import { DrawWorkspace } from "./draw-workspace";

/** Claims the MD's next task (their unfinished one first) and moves on after each submit. */
/** Asks for the next task again (after an error, or when the queue was empty). */
function AgainButton({ children, onClick }: { children: string; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2"
    >
      {children}
    </button>
  );
}

export function DrawQueue({ projectId, projectSlug }: { projectId: string; projectSlug: string }) {
  const [task, setTask] = useState<TaskView | null | undefined>(undefined);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [left, setLeft] = useState<number | null>(null);

  const next = useCallback(async () => {
    setError(null);
    setTask(undefined);
    try {
      const r = await claimNext(projectId);
      setLeft(r.left);
      setTask(r.task);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [projectId]);

  useEffect(() => {
    void next();
  }, [next]);

  const finished = useCallback(
    (n: string) => {
      setNote(n);
      void next();
    },
    [next],
  );

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
        {note ? (
          <p role="status" data-testid="draw-note" className="text-ok">
            {note}
          </p>
        ) : null}
        {left !== null && task ? (
          <p data-testid="queue-left" className="text-muted">
            {left === 1
              ? "This is the last image in your queue"
              : `${left} images left in your queue, this one included`}
          </p>
        ) : null}
      </div>
      {error ? (
        <div className="space-y-2">
          <ErrorNote message={error} />
          <AgainButton onClick={() => void next()}>Try again</AgainButton>
        </div>
      ) : task === undefined ? (
        <p className="text-sm text-muted" role="status">
          Finding your next image…
        </p>
      ) : task === null ? (
        <div data-testid="nothing-to-draw" className="rounded-lg border border-line bg-panel p-6 text-sm">
          <p className="font-medium">Nothing to draw right now.</p>
          <p className="mt-1 text-muted">
            Every image of this project is drawn, claimed by another MD, or waiting for the next stage.
          </p>
          <div className="mt-3 flex gap-3">
            <AgainButton onClick={() => void next()}>Check again</AgainButton>
            <Link href={`/projects/${projectSlug}`} className="rounded-md px-3 py-1.5 text-accent hover:underline">
              Back to the project
            </Link>
          </div>
        </div>
      ) : (
        <DrawWorkspace key={task.id} task={task} onFinished={finished} />
      )}
    </div>
  );
}
