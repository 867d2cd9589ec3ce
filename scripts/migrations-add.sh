#!/usr/bin/env bash
# After a change to the model (RegistryDbContext): adds the migration NAME to BOTH migration sets, SQLite's
# (Registry.Core/Data/Migrations) and PostgreSQL's (Registry.Core/Data/Postgres/Migrations), then checks that neither
# has model changes left. Needs no database server. Usage: bash scripts/migrations-add.sh NAME
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/migrations-add.sh MigrationName}
ef=${DOTNET_EF:-$HOME/.dotnet/tools/dotnet-ef}
[ -x "$ef" ] || dotnet tool install --global dotnet-ef --version 10.0.15
common=(--project Registry.Core --startup-project Registry.Core)
"$ef" migrations add "$name" "${common[@]}" --context RegistryDbContext --output-dir Data/Migrations
"$ef" migrations add "$name" "${common[@]}" --context PostgresRegistryDbContext --output-dir Data/Postgres/Migrations --no-build
"$ef" migrations has-pending-model-changes "${common[@]}" --context RegistryDbContext --no-build
"$ef" migrations has-pending-model-changes "${common[@]}" --context PostgresRegistryDbContext --no-build
