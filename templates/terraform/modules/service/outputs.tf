output "role_name" {
  description = "Instance role; data stores and queues attach their statements to it"
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the instance role"
  value       = aws_iam_role.this.arn
}

output "security_group_id" {
  description = "Security group of the instances"
  value       = aws_security_group.this.id
}

output "autoscaling_group_name" {
  description = "Auto Scaling group the pipeline refreshes"
  value       = aws_autoscaling_group.this.name
}

output "repository_url" {
  description = "ECR repository the pipeline pushes to"
  value       = aws_ecr_repository.this.repository_url
}

output "log_group_name" {
  description = "Log group of the service"
  value       = aws_cloudwatch_log_group.this.name
}

output "launch_template_id" {
  description = "Launch template: one version per image tag (roll back to a previous version)"
  value       = aws_launch_template.this.id
}

output "target_group_arn" {
  description = "Target group of the instances"
  value       = aws_lb_target_group.this.arn
}
