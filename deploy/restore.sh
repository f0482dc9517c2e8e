#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into DATABASE_URL (an EMPTY database: create it first) and, when
# the backup has them, the attachments into PRIVATE_MEDIA_ROOT. Usage: deploy/restore.sh BACKUP_DIR/sysmo-…
# Stop the app servers and workers first (docs/deploy.md, "Restore"); start them after.
set -euo pipefail
from="${1:?usage: restore.sh BACKUP_DIR/sysmo-STAMP}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://…)}"
( cd "$from" && sha256sum --check --quiet SHA256SUMS )
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$DATABASE_URL" \
  "$from/database.dump"
if [ -f "$from/attachments.tar.gz" ]; then
  media="${PRIVATE_MEDIA_ROOT:?PRIVATE_MEDIA_ROOT must be set to restore the attachments}"
  mkdir -p "$media"
  tar --extract --gzip --file="$from/attachments.tar.gz" --directory="$media"
fi
echo "Restored $from"
