output "invoke_url" {
  description = "Base URL of the API (append a route of routes.tf)"
  value       = aws_api_gateway_stage.this.invoke_url
}

output "rest_api_id" {
  description = "ID of the REST API"
  value       = aws_api_gateway_rest_api.this.id
}

output "stage_name" {
  description = "Name of the cached stage"
  value       = aws_api_gateway_stage.this.stage_name
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB, for CloudWatch metrics"
  value       = aws_lb.alb.arn_suffix
}

output "alb_listener_arn" {
  description = "Listener the services add their path rules to"
  value       = aws_lb_listener.http.arn
}

output "alb_security_group_id" {
  description = "Security group of the ALB (the services accept traffic from it only)"
  value       = aws_security_group.alb.id
}

output "vpc_link_target_arn" {
  description = "Load balancer the VPC link points at"
  value       = local.vpc_link_target
}

output "alb_url" {
  description = "Base URL of the internal ALB: how services call each other inside the VPC"
  value       = "http://${aws_lb.alb.dns_name}"
}

output "user_pool_id" {
  description = "Cognito user pool of the clients' users (empty with a Lambda authorizer)"
  value       = one(aws_cognito_user_pool.users[*].id)
}

output "user_pool_client_id" {
  description = "App client the web and mobile clients sign in with (empty with a Lambda authorizer)"
  value       = one(aws_cognito_user_pool_client.clients[*].id)
}
