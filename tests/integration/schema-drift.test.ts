import { describe, expect, it } from "vitest";
import pg from "pg";
import { columnType, indexName, loadDmmf, tableName } from "../../lib/db/dmmf";
import { listMigrations } from "../../lib/db/migrate";

// Fails when schema.prisma and the migrated database disagree: every model, column, type,
// nullability, enum value and index of the schema must exist in the database, and nothing more.
const normalise = (t: string) =>
  t
    .toUpperCase()
    .replace(/"/g, "")
    .replace(/^TIMESTAMP\(3\) WITH TIME ZONE$/, "TIMESTAMPTZ(3)")
    .replace(/^TIMESTAMP\(3\) WITHOUT TIME ZONE$/, "TIMESTAMP(3)")
    .replace(/^CHARACTER VARYING/, "VARCHAR");

describe("schema drift", () => {
  it("the migrated database matches prisma/schema.prisma", async () => {
    const dmmf = loadDmmf();
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const cols = await client.query<{ table_name: string; column_name: string; t: string; is_nullable: string }>(`
        SELECT c.table_name, c.column_name, c.is_nullable,
               format_type(a.atttypid, a.atttypmod) AS t
        FROM information_schema.columns c
        JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
        WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`);
      const dbCols = new Map(cols.rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
      const expected = new Set<string>();
      for (const m of dmmf.models) {
        for (const f of m.fields) {
          if (f.kind === "object") continue;
          const k = `${tableName(m)}.${f.dbName ?? f.name}`;
          expected.add(k);
          const col = dbCols.get(k);
          expect(col, `column ${k} is in schema.prisma but not in the database`).toBeDefined();
          let want = columnType(f).replace(/"/g, "");
          if (f.isList) want += "[]";
          expect(normalise(col!.t), `type of ${k}`).toBe(normalise(want));
          expect(col!.is_nullable === "YES", `nullability of ${k}`).toBe(!f.isRequired && !f.isList);
        }
      }
      const extra = [...dbCols.keys()].filter((k) => !expected.has(k));
      expect(extra, "columns in the database that schema.prisma lacks").toEqual([]);

      const enums = await client.query<{ name: string; values: string[] }>(`
        SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
      const dbEnums = Object.fromEntries(enums.rows.map((r) => [r.name, r.values]));
      for (const e of dmmf.enums) expect(dbEnums[e.name], `enum ${e.name}`).toEqual(e.values.map((v) => v.name));
      expect(Object.keys(dbEnums).sort()).toEqual(dmmf.enums.map((e) => e.name).sort());

      const idx = await client.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
      );
      const dbIdx = new Map(idx.rows.map((r) => [r.indexname, r.indexdef]));
      const wantIdx = new Set<string>();
      for (const i of dmmf.indexes) {
        const name = indexName(i);
        wantIdx.add(name);
        const def = dbIdx.get(name);
        expect(def, `index ${name}`).toBeDefined();
        expect(/UNIQUE/.test(def!), `uniqueness of ${name}`).toBe(i.type !== "normal");
        const cols = def!
          .slice(def!.lastIndexOf("(") + 1, def!.lastIndexOf(")"))
          .split(",")
          .map((s) => s.trim().replace(/"/g, ""));
        expect(cols, `columns of ${name}`).toEqual(i.fields.map((f) => f.name));
      }
      expect(
        [...dbIdx.keys()].filter((n) => !wantIdx.has(n)),
        "indexes the schema lacks",
      ).toEqual([]);

      const applied = await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(applied.rows.map((r) => [r.migration_name, r.checksum])).toEqual(
        listMigrations().map((m) => [m.name, m.checksum]),
      );
    } finally {
      await client.end();
    }
  });
});
