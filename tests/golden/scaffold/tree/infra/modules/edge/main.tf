# The single entry point: a REST API whose stage caches responses, routing the routes of
# routes.tf to an internal Application Load Balancer, whose listener rules route to each
# service's target group.
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

  # Strangler fig: whatever no rule of an extracted service takes goes to the monolith.
  default_action {
    type             = "forward"
    target_group_arn = var.monolith_target_group_arn
  }

  lifecycle {
    precondition {
      condition     = alltrue([for c in var.extracted : contains(local.contexts, c)])
      error_message = "extracted names a context the plan does not have: use the names of routes.tf (local.contexts)."
    }
  }
}

# A monolith route under the prefix of an extracted context (routes.tf, `pins`) stays on the
# monolith: these rules come before every service's rule (priorities 1-999, from a hash).
resource "aws_lb_listener_rule" "monolith_pin" {
  for_each = { for key, p in local.pins : key => p if contains(var.extracted, p.context) }

  listener_arn = aws_lb_listener.http.arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = var.monolith_target_group_arn
  }

  condition {
    path_pattern {
      values = [each.value.path_pattern]
    }
  }

  dynamic "condition" {
    for_each = length(each.value.http_methods) > 0 ? [each.value.http_methods] : []

    content {
      http_request_method {
        values = condition.value
      }
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

# Who may call what (issue 13). The REST API routes only the plan's HTTP entry points and the
# operations it marks public (routes.tf, computed by decomposer); each route has explicit
# resources, never a {proxy+} under a service's prefix, which would reach its internal
# operations too. Those stay reachable only through the internal ALB, inside the VPC: the
# services check no header of their own, they rely on the network (the ALB is internal and
# takes traffic from the VPC only, the instances from the ALB only). Every routed method has
# the authorizer, except the routes the plan marks `public: true` (sign-up, login, webhooks).

resource "aws_api_gateway_resource" "depth_1" {
  for_each = { for path, r in local.resources : path => r if r.depth == 1 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth_2" {
  for_each = { for path, r in local.resources : path => r if r.depth == 2 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth_1[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth_3" {
  for_each = { for path, r in local.resources : path => r if r.depth == 3 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth_2[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "depth_4" {
  for_each = { for path, r in local.resources : path => r if r.depth == 4 }

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth_3[each.value.parent].id
  path_part   = each.value.path_part
}

locals {
  resource_ids = merge(
    { "" = aws_api_gateway_rest_api.this.root_resource_id },
    { for path, r in aws_api_gateway_resource.depth_1 : path => r.id },
    { for path, r in aws_api_gateway_resource.depth_2 : path => r.id },
    { for path, r in aws_api_gateway_resource.depth_3 : path => r.id },
    { for path, r in aws_api_gateway_resource.depth_4 : path => r.id },
  )
  authorization = var.authorizer == "cognito" ? "COGNITO_USER_POOLS" : "CUSTOM"
  # Strangler fig: each route reaches its service once its context is extracted, and the
  # monolith's own route (the ALB's default action) until then.
  paths = {
    for key, m in local.methods : key => contains(var.extracted, m.service) ? m.upstream : m.monolith
  }
}

# Cognito: a user pool of the clients' users (its app client signs them in, the authorizer
# checks their ID token). lambda: a TOKEN authorizer you supply, e.g. one that verifies your
# identity provider's JWTs (REST APIs have no built-in JWT authorizer; HTTP APIs do).
resource "aws_cognito_user_pool" "users" {
  count = var.authorizer == "cognito" ? 1 : 0

  name                     = "${var.name}-users"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  password_policy {
    minimum_length    = 12
    require_lowercase = true
    require_numbers   = true
    require_symbols   = true
    require_uppercase = true
  }
}

resource "aws_cognito_user_pool_client" "clients" {
  count = var.authorizer == "cognito" ? 1 : 0

  name                          = "${var.name}-clients"
  user_pool_id                  = aws_cognito_user_pool.users[0].id
  generate_secret               = false
  prevent_user_existence_errors = "ENABLED"
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
}

resource "aws_api_gateway_authorizer" "this" {
  name                             = "${var.name}-${var.authorizer}"
  rest_api_id                      = aws_api_gateway_rest_api.this.id
  type                             = var.authorizer == "cognito" ? "COGNITO_USER_POOLS" : "TOKEN"
  provider_arns                    = var.authorizer == "cognito" ? [aws_cognito_user_pool.users[0].arn] : null
  authorizer_uri                   = var.authorizer == "lambda" ? local.authorizer_uri : null
  identity_source                  = "method.request.header.Authorization"
  authorizer_result_ttl_in_seconds = 300

  lifecycle {
    precondition {
      condition     = var.authorizer != "lambda" || var.authorizer_function_arn != ""
      error_message = "authorizer = \"lambda\" needs authorizer_function_arn: the ARN of the Lambda function that checks the bearer token."
    }
  }
}

locals {
  # arn:<partition>:lambda:<region>:<account>:function:<name>
  authorizer_arn_parts = split(":", var.authorizer_function_arn)
  authorizer_uri = var.authorizer_function_arn == "" ? "" : join("", [
    "arn:${local.authorizer_arn_parts[1]}:apigateway:${local.authorizer_arn_parts[3]}:lambda:path",
    "/2015-03-31/functions/${var.authorizer_function_arn}/invocations",
  ])
}

resource "aws_lambda_permission" "authorizer" {
  count = var.authorizer == "lambda" ? 1 : 0

  statement_id  = "${var.name}-authorizer"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer_function_arn
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/authorizers/${aws_api_gateway_authorizer.this.id}"
}

resource "aws_api_gateway_method" "authorized" {
  for_each = { for key, m in local.methods : key => m if !m.public }

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.value.resource]
  http_method   = each.value.http_method
  authorization = local.authorization
  authorizer_id = aws_api_gateway_authorizer.this.id
  # The caller's token is part of the cache key of an authorized route: the stage cache
  # never answers one user with another's response.
  request_parameters = merge(
    { for p in each.value.parameters : "method.request.path.${p}" => true },
    { for q in each.value.query : "method.request.querystring.${q}" => false },
    { "method.request.header.Authorization" = true },
  )
}

resource "aws_api_gateway_method" "public" {
  #checkov:skip=CKV_AWS_59:only the routes the plan marks public: true (reviewed in the plan: sign-up, login, webhooks that check their own signature)
  for_each = { for key, m in local.methods : key => m if m.public }

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.value.resource]
  http_method   = each.value.http_method
  authorization = "NONE"
  request_parameters = merge(
    { for p in each.value.parameters : "method.request.path.${p}" => true },
    { for q in each.value.query : "method.request.querystring.${q}" => false },
  )
}

resource "aws_api_gateway_integration" "route" {
  for_each = local.methods

  depends_on = [aws_api_gateway_method.authorized, aws_api_gateway_method.public]

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = local.resource_ids[each.value.resource]
  http_method             = each.value.http_method
  type                    = "HTTP_PROXY"
  integration_http_method = each.value.http_method
  uri                     = "http://${local.upstream_host}${local.paths[each.key]}"
  connection_type         = "VPC_LINK"
  connection_id           = local.connection_id
  request_parameters = {
    for p in each.value.parameters : "integration.request.path.${p}" => "method.request.path.${p}"
  }
  # Computed by decomposer: path and query parameters, and the caller's token where the route
  # is authorized; empty for every route the stage does not cache.
  cache_key_parameters = each.value.cache_key
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode([
      local.resources, local.methods, local.upstream_host, local.connection_id,
      aws_api_gateway_authorizer.this.id, sort(var.extracted),
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_method.authorized, aws_api_gateway_method.public, aws_api_gateway_integration.route,
  ]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:the cache cluster is a per-environment choice (cache_size_gb: none in dev to save its hourly cost, 0.5 GB in prod); where it exists only GET routes with a computed cache key are cached
  rest_api_id           = aws_api_gateway_rest_api.this.id
  deployment_id         = aws_api_gateway_deployment.this.id
  stage_name            = "live"
  cache_cluster_enabled = var.cache_size_gb != null
  cache_cluster_size    = var.cache_size_gb
  xray_tracing_enabled  = true

  # Logging needs the account's CloudWatch role first (aws_api_gateway_account): without this
  # the first apply races it and fails.
  depends_on = [aws_api_gateway_account.this]

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

# Every method: metrics, logs, throttling, and no cache. A stage-wide "*/*" cache would cache
# ANY and POST methods too, keyed on whatever parameters they happen to declare.
resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:caching is off stage-wide on purpose; aws_api_gateway_method_settings.cached turns it on for the GET routes whose cache key decomposer could compute
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "INFO"
    caching_enabled        = false
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }

  depends_on = [aws_api_gateway_account.this]
}

# The cache, on GET routes only, each keyed by its cache_key_parameters (routes.tf).
resource "aws_api_gateway_method_settings" "cached" {
  for_each = var.cache_size_gb == null ? {} : { for key, m in local.methods : key => m if m.cached }

  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = each.value.method_path

  settings {
    metrics_enabled        = true
    logging_level          = "INFO"
    caching_enabled        = true
    cache_data_encrypted   = true
    cache_ttl_in_seconds   = var.cache_ttl_seconds
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }

  depends_on = [aws_api_gateway_method_settings.all]
}

resource "aws_cloudwatch_metric_alarm" "errors_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "More than ${var.error_rate_threshold_percent}% of the API's answers are 5xx"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.error_rate_threshold_percent / 100
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { ApiName = aws_api_gateway_rest_api.this.name, Stage = aws_api_gateway_stage.this.stage_name }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "${var.name}-api-latency-p95"
  alarm_description   = "p95 latency of the API above ${var.latency_threshold_seconds} s"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  extended_statistic  = "p95"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.latency_threshold_seconds * 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { ApiName = aws_api_gateway_rest_api.this.name, Stage = aws_api_gateway_stage.this.stage_name }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
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
