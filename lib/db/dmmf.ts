import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// The parsed Prisma schema (Prisma's own wasm parser), used to write SQL migrations and to
// check that the migrated database matches schema.prisma. Tooling only: not on a request path.

export type DmmfField = {
  name: string;
  kind: "scalar" | "enum" | "object";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  dbName?: string | null;
};
export type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
export type DmmfIndex = {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  isDefinedOnField: boolean;
  dbName?: string;
  name?: string;
  fields: { name: string }[];
};
export type Dmmf = {
  enums: { name: string; values: { name: string }[] }[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
};

export function loadDmmf(schemaPath = path.join(process.cwd(), "prisma/schema.prisma")): Dmmf {
  const require = createRequire(import.meta.url);
  const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(p: string): string };
  const prismaSchema = readFileSync(schemaPath, "utf8");
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema }))).datamodel as Dmmf;
}

const scalarSql: Record<string, string> = {
  String: "TEXT",
  Int: "INTEGER",
  BigInt: "BIGINT",
  Float: "DOUBLE PRECISION",
  Boolean: "BOOLEAN",
  DateTime: "TIMESTAMP(3)",
  Json: "JSONB",
  Decimal: "DECIMAL(65,30)",
  Bytes: "BYTEA",
};

/** The SQL column type Prisma would use for a field (without array suffix). */
export function columnType(field: DmmfField): string {
  if (field.kind === "enum") return `"${field.type}"`;
  const native = field.nativeType;
  if (native) {
    const [name, args] = native;
    const upper = name.toUpperCase();
    return args.length ? `${upper}(${args.join(",")})` : upper;
  }
  const t = scalarSql[field.type];
  if (!t) throw new Error(`No SQL type for ${field.type}`);
  return t;
}

export function tableName(model: DmmfModel): string {
  return model.dbName ?? model.name;
}

/** Prisma's default index names: Model_a_b_key / Model_a_b_idx / Model_pkey. */
export function indexName(index: DmmfIndex): string {
  if (index.dbName) return index.dbName;
  const cols = index.fields.map((f) => f.name).join("_");
  if (index.type === "id") return `${index.model}_pkey`;
  return `${index.model}_${cols}_${index.type === "unique" ? "key" : "idx"}`;
}
