output "state_bucket" {
  description = "The bucket of every environment's state: -backend-config=\"bucket=...\""
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "The DynamoDB table of the state locks"
  value       = aws_dynamodb_table.locks.name
}

output "account_id" {
  description = "The repository variable AWS_ACCOUNT_ID the workflows build role ARNs from"
  value       = local.account
}

output "role_arns" {
  description = "The role each kind of job assumes, by name"
  value       = { for name, role in aws_iam_role.pipeline : name => role.arn }
}
