#!/usr/bin/env bash
# Back up Sysmo Tickets: the PostgreSQL database (pg_dump, custom format) and, when attachments live on disk,
# the attachments folder. Usage: deploy/backup.sh BACKUP_DIR   (reads DATABASE_URL and PRIVATE_MEDIA_ROOT,
# e.g. from /etc/sysmo/env). Writes BACKUP_DIR/sysmo-YYYYmmddTHHMMSS/{database.dump,attachments.tar.gz}.
# Attachments in a bucket (ATTACHMENTS_S3_BUCKET) are backed up on the storage side: docs/deploy.md.
# Restore with deploy/restore.sh. Safe while the site runs (pg_dump takes a consistent snapshot); the database
# is dumped first, so every attachment it mentions is already on disk when the folder is archived.
set -euo pipefail
target="${1:?usage: backup.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://…)}"
stamp="$(date -u +%Y%m%dT%H%M%S)"
out="$target/sysmo-$stamp"
mkdir -p "$out"
pg_dump --format=custom --no-owner --no-privileges --file="$out/database.dump" "$DATABASE_URL"
if [ -z "${ATTACHMENTS_S3_BUCKET:-}" ]; then
  media="${PRIVATE_MEDIA_ROOT:?PRIVATE_MEDIA_ROOT must be set when attachments are on disk}"
  tar --create --gzip --file="$out/attachments.tar.gz" --directory="$media" .
fi
( cd "$out" && sha256sum -- * > SHA256SUMS )
echo "$out"
