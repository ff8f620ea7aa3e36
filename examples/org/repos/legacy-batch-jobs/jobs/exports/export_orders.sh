#!/usr/bin/env bash
# Dump yesterday's orders to CSV for the finance SFTP drop.
set -euo pipefail
day=$(date -d yesterday +%F)
psql "$ORDERS_DB_URL" -c "\copy (SELECT * FROM orders WHERE created_at::date = '$day') TO '/data/exports/orders-$day.csv' CSV HEADER"
