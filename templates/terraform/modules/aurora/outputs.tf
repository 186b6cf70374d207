output "endpoint" {
  description = "Writer endpoint"
  value       = aws_rds_cluster.this.endpoint
}

output "port" {
  description = "Port of the cluster"
  value       = local.port
}

output "cluster_arn" {
  description = "ARN of the cluster (the RDS Data API's resource ARN)"
  value       = aws_rds_cluster.this.arn
}

output "secret_arn" {
  description = "Secrets Manager secret with the master credentials, for bootstrap-databases.sh only (null where not managed)"
  value       = try(aws_rds_cluster.this.master_user_secret[0].secret_arn, null)
}
