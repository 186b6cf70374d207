#!/bin/bash
# One-time step after the first `terraform apply` of an environment, and after a service is
# added: creates each service's database and its login role in the Aurora cluster that holds
# it, through the RDS Data API with the cluster's master secret (which no service can read).
# The services log in as that role with IAM authentication tokens; until this has run they
# cannot connect, and their instances fail the health check. Safe to run again at any time.
#
# Usage, from infra/ with the credentials terraform used:  bash bootstrap-databases.sh
# Needs: the AWS CLI, jq, and terraform with this environment's state.
set -euo pipefail
cd "$(dirname "$0")"
command -v jq >/dev/null || { echo "error: bootstrap-databases.sh needs jq" >&2; exit 1; }

# sql CLUSTER_ARN SECRET_ARN DATABASE STATEMENT: run one statement; a paused Serverless v2
# cluster resumes on the first call, so retry while it does.
sql() {
  local try
  for try in 1 2 3 4 5 6; do
    if aws rds-data execute-statement --resource-arn "$1" --secret-arn "$2" --database "$3" \
      --sql "$4" --output json; then
      return 0
    fi
    echo "retrying in 10 s (attempt $try: the cluster may be resuming)" >&2
    sleep 10
  done
  return 1
}

terraform output -json databases |
  jq -r 'to_entries[] | .value as $c | $c.databases | to_entries[]
    | [$c.cluster_arn, $c.secret_arn, $c.engine, .key, .value] | @tsv' |
  while IFS=$'\t' read -r cluster secret engine name user; do
    echo "database $name: role $user" >&2
    if [ "$engine" = aurora-postgresql ]; then
      found=$(sql "$cluster" "$secret" postgres \
        "SELECT count(*) FROM pg_database WHERE datname = '$name'" |
        jq -r '.records[0][0].longValue')
      if [ "$found" = 0 ]; then
        sql "$cluster" "$secret" postgres "CREATE DATABASE \"$name\"" >/dev/null
      fi
      sql "$cluster" "$secret" postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN CREATE ROLE \"$user\" LOGIN; END IF; END \$\$" >/dev/null
      # rds_iam: the role logs in with IAM tokens only. Owning its database (and, from
      # PostgreSQL 15, its public schema) lets its migrations create tables there, and nowhere else.
      sql "$cluster" "$secret" postgres "GRANT rds_iam TO \"$user\"" >/dev/null
      sql "$cluster" "$secret" postgres "ALTER DATABASE \"$name\" OWNER TO \"$user\"" >/dev/null
    else
      sql "$cluster" "$secret" mysql "CREATE DATABASE IF NOT EXISTS \`$name\`" >/dev/null
      sql "$cluster" "$secret" mysql "CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL" >/dev/null
      sql "$cluster" "$secret" mysql "GRANT ALL PRIVILEGES ON \`$name\`.* TO '$user'@'%'" >/dev/null
    fi
  done
