#!/usr/bin/env bash
# Regenerates the initial migration from schema.prisma (only while no release has shipped it).
set -euo pipefail
dir=prisma/migrations/20261123000000_init
mkdir -p "$dir"
{ npx tsx scripts/schema-to-sql.ts; cat prisma/sql/audit-append-only.sql; } > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
