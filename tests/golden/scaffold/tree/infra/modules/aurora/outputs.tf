output "endpoint" {
  description = "Writer endpoint"
  value       = aws_rds_cluster.this.endpoint
}

output "port" {
  description = "Port of the cluster"
  value       = local.port
}

output "secret_arn" {
  description = "Secrets Manager secret with the master credentials (null where not managed)"
  value       = try(aws_rds_cluster.this.master_user_secret[0].secret_arn, null)
}
