import Link from "next/link";
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from "react";

export function Button({
  variant = "primary",
  className = "",
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "ghost" | "danger" }) {
  const styles = {
    primary: "bg-accent-strong text-white hover:bg-accent",
    ghost: "border border-line text-text hover:bg-panel-2",
    danger: "bg-bad text-white hover:opacity-90",
  }[variant];
  return (
    <button
      className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${styles} ${className}`}
      {...rest}
    />
  );
}

export function Field({
  label,
  hint,
  ...rest
}: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  return (
    <label className="block space-y-1 text-sm">
      <span className="text-muted">{label}</span>
      <input
        className="w-full rounded-md border border-line bg-panel-2 px-3 py-2 text-text placeholder:text-muted/60"
        {...rest}
      />
      {hint ? <span className="block text-xs text-muted">{hint}</span> : null}
    </label>
  );
}

export function Card({ title, children, actions }: { title?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="rounded-lg border border-line bg-panel p-4">
      {title || actions ? (
        <header className="mb-3 flex items-center justify-between">
          <h2 className="text-sm font-semibold tracking-wide text-muted uppercase">{title}</h2>
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Badge({
  children,
  tone = "default",
}: {
  children: ReactNode;
  tone?: "default" | "ok" | "warn" | "bad";
}) {
  const t = {
    default: "border-line text-muted",
    ok: "border-ok/50 text-ok",
    warn: "border-warn/50 text-warn",
    bad: "border-bad/50 text-bad",
  }[tone];
  return <span className={`inline-block rounded border px-1.5 py-0.5 text-xs ${t}`}>{children}</span>;
}

/** A warning badge per item (an import's flags, the columns it dropped). */
export function WarnBadges({ items }: { items: readonly string[] }) {
  return items.map((item) => (
    <Badge key={item} tone="warn">
      {item}
    </Badge>
  ));
}

export function ErrorNote({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p
      role="alert"
      data-testid="form-error"
      className="rounded-md border border-bad/50 bg-bad/10 px-3 py-2 text-sm text-bad"
    >
      {message}
    </p>
  );
}

/** A table's header row: the first column carries the row padding; an empty name makes an unlabelled column. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead className="text-muted">
      <tr>
        {columns.map((c, i) =>
          c ? (
            <th key={c} scope="col" className={i === 0 ? "py-1 font-medium" : "font-medium"}>
              {c}
            </th>
          ) : (
            <th key={`col-${i}`} />
          ),
        )}
      </tr>
    </thead>
  );
}

/** A right-aligned "Report" link at the end of a row, or an empty cell when there is no report. */
export function ReportCell({ href }: { href: string | null }) {
  return (
    <td className="text-right">
      {href ? (
        <Link className="text-accent hover:underline" href={href}>
          Report
        </Link>
      ) : null}
    </td>
  );
}
