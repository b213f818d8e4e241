// Writes CREATE statements for prisma/schema.prisma in the form `prisma migrate diff --from-empty`
// produces. Used to draft a migration; review and trim the output into a new migration folder.
import { columnType, indexName, loadDmmf, tableName, type DmmfField } from "../lib/db/dmmf";

const dmmf = loadDmmf();
const out: string[] = [];

for (const e of dmmf.enums) {
  out.push(`-- CreateEnum\nCREATE TYPE "${e.name}" AS ENUM (${e.values.map((v) => `'${v.name}'`).join(", ")});\n`);
}

function defaultSql(f: DmmfField): string | null {
  const d = f.default as any;
  if (d === undefined) return null;
  if (typeof d === "object" && d !== null && !Array.isArray(d)) {
    if (d.name === "now") return "CURRENT_TIMESTAMP";
    return null; // uuid(), cuid(), autoincrement: client-side or serial
  }
  if (Array.isArray(d)) return d.length === 0 ? "ARRAY[]::" + columnType(f) + "[]" : null;
  if (typeof d === "string") return f.kind === "enum" ? `'${d}'` : `'${d.replace(/'/g, "''")}'`;
  return String(d);
}

for (const m of dmmf.models) {
  const cols: string[] = [];
  for (const f of m.fields) {
    if (f.kind === "object") continue;
    const auto = (f.default as any)?.name === "autoincrement";
    let type = auto ? (f.type === "BigInt" ? "BIGSERIAL" : "SERIAL") : columnType(f);
    if (f.isList) type += "[]";
    let col = `    "${f.dbName ?? f.name}" ${type}`;
    if (f.isRequired) col += " NOT NULL";
    const def = auto ? null : defaultSql(f);
    if (def) col += ` DEFAULT ${def}`;
    cols.push(col);
  }
  const pk = dmmf.indexes.find((i) => i.model === m.name && i.type === "id");
  if (pk)
    cols.push(`\n    CONSTRAINT "${indexName(pk)}" PRIMARY KEY (${pk.fields.map((f) => `"${f.name}"`).join(", ")})`);
  out.push(`-- CreateTable\nCREATE TABLE "${tableName(m)}" (\n${cols.join(",\n")}\n);\n`);
}

for (const i of dmmf.indexes) {
  if (i.type === "id") continue;
  const unique = i.type === "unique" ? "UNIQUE " : "";
  const model = dmmf.models.find((m) => m.name === i.model)!;
  out.push(
    `-- CreateIndex\nCREATE ${unique}INDEX "${indexName(i)}" ON "${tableName(model)}"(${i.fields.map((f) => `"${f.name}"`).join(", ")});\n`,
  );
}

for (const m of dmmf.models) {
  for (const f of m.fields) {
    if (f.kind !== "object" || !f.relationFromFields?.length) continue;
    const target = dmmf.models.find((x) => x.name === f.type)!;
    const onDelete = (f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull"))
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toUpperCase();
    const from = f.relationFromFields.map((c) => `"${c}"`).join(", ");
    const to = f.relationToFields!.map((c) => `"${c}"`).join(", ");
    const name = `${m.name}_${f.relationFromFields.join("_")}_fkey`;
    out.push(
      `-- AddForeignKey\nALTER TABLE "${tableName(m)}" ADD CONSTRAINT "${name}" FOREIGN KEY (${from}) REFERENCES "${tableName(target)}"(${to}) ON DELETE ${onDelete} ON UPDATE CASCADE;\n`,
    );
  }
}

process.stdout.write(out.join("\n"));
