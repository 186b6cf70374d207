# The single entry point: a REST API whose stage caches responses, routing /<service>/ to an
# internal Application Load Balancer, whose listener rules route to each service's target group.
# hashicorp/aws 5.x can reach a private ALB from a REST API only through a VPC link (v1) to a
# Network Load Balancer, whose target group has the ALB as its single target.

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Internal ALB: HTTP from inside the VPC only"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTP from the VPC link"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }

  egress {
    description = "To the services inside the VPC"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

resource "aws_lb" "alb" {
  name                       = "${var.name}-alb"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = "{\"detail\": \"no service at this path\"}"
      status_code  = "404"
    }
  }
}

resource "aws_lb" "nlb" {
  name                             = "${var.name}-nlb"
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.subnet_ids
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = var.deletion_protection
}

resource "aws_lb_target_group" "alb" {
  name        = "${var.name}-alb"
  target_type = "alb"
  port        = 80
  protocol    = "TCP"
  vpc_id      = var.vpc_id

  health_check {
    protocol = "HTTP"
    path     = "/"
    matcher  = "200-499"
  }
}

resource "aws_lb_target_group_attachment" "alb" {
  target_group_arn = aws_lb_target_group.alb.arn
  target_id        = aws_lb.alb.arn
  port             = 80

  depends_on = [aws_lb_listener.http]
}

resource "aws_lb_listener" "nlb" {
  load_balancer_arn = aws_lb.nlb.arn
  port              = 80
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.alb.arn
  }
}

resource "aws_api_gateway_vpc_link" "this" {
  name        = "${var.name}-edge"
  target_arns = [aws_lb.nlb.arn]
}

locals {
  upstream_host   = aws_lb.nlb.dns_name
  connection_id   = aws_api_gateway_vpc_link.this.id
  vpc_link_target = aws_lb.nlb.arn
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "Single entry point of ${var.name} for web and mobile clients"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "prefix" {
  for_each = var.routes

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value
}

resource "aws_api_gateway_resource" "proxy" {
  for_each = var.routes

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.prefix[each.key].id
  path_part   = "{proxy+}"
}

# Authentication belongs to each service (it already has its users); the edge routes and caches.
resource "aws_api_gateway_method" "proxy" {
  for_each = var.routes

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_resource.proxy[each.key].id
  http_method        = "ANY"
  authorization      = "NONE"
  request_parameters = { "method.request.path.proxy" = true }
}

resource "aws_api_gateway_integration" "proxy" {
  for_each = var.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.proxy[each.key].id
  http_method             = aws_api_gateway_method.proxy[each.key].http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "ANY"
  uri                     = "http://${local.upstream_host}/${each.value}/{proxy}"
  connection_type         = "VPC_LINK"
  connection_id           = local.connection_id
  request_parameters      = { "integration.request.path.proxy" = "method.request.path.proxy" }
  cache_key_parameters    = ["method.request.path.proxy"]
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode([var.routes, local.upstream_host, local.connection_id]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.proxy]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id           = aws_api_gateway_rest_api.this.id
  deployment_id         = aws_api_gateway_deployment.this.id
  stage_name            = "live"
  cache_cluster_enabled = true
  cache_cluster_size    = var.cache_size_gb
  xray_tracing_enabled  = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId = "$context.requestId"
      ip        = "$context.identity.sourceIp"
      method    = "$context.httpMethod"
      path      = "$context.path"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
    })
  }
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "INFO"
    caching_enabled        = true
    cache_data_encrypted   = true
    cache_ttl_in_seconds   = var.cache_ttl_seconds
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
}

data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  count = var.enable_account_logging_role ? 1 : 0

  name               = "${var.name}-apigateway-logs"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

# The statements of AWS's AmazonAPIGatewayPushToCloudWatchLogs, inline: API Gateway names and
# creates its execution log groups itself, so they cannot be listed here.
data "aws_iam_policy_document" "apigateway_logs" {
  statement {
    actions = [
      "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
      "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "apigateway_logs" {
  count = var.enable_account_logging_role ? 1 : 0

  name   = "push-to-cloudwatch-logs"
  role   = aws_iam_role.apigateway_logs[0].id
  policy = data.aws_iam_policy_document.apigateway_logs.json
}

resource "aws_api_gateway_account" "this" {
  count = var.enable_account_logging_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_logs[0].arn
}
