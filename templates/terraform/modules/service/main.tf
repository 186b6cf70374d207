# One service (or the monolith): its image repository, instances (launch template + Auto
# Scaling group behind a target group of the shared ALB, scaling on requests per target and
# CPU), least-privilege instance profile with SSM Session Manager, logs, alarms and dashboard.

data "aws_region" "current" {}

data "aws_partition" "current" {}

# The image tag the service's deploy job last rolled out (.github/workflows/service-*.yml).
# Terraform creates it ("none": nothing deployed yet) and never writes it again; the pipeline
# owns its value. A refresh reads it back, so an apply renders the user data the pipeline
# deployed instead of reverting it (README.md, "Deploys and rollbacks").
resource "aws_ssm_parameter" "image_tag" {
  #checkov:skip=CKV2_AWS_34:an image tag (a git commit) is no secret; a String parameter keeps it readable in plans
  name           = "/services/${var.name}/image-tag"
  description    = "Image tag ${var.service} runs, written by its deploy job"
  type           = "String"
  insecure_value = "none"

  lifecycle {
    ignore_changes = [insecure_value]
  }
}

locals {
  # `image_tag` pins a tag (it wins over the pipeline's); without it, the tag the pipeline
  # deployed last.
  pipeline_tag = aws_ssm_parameter.image_tag.insecure_value
  deployed_tag = var.image_tag != "" ? var.image_tag : (local.pipeline_tag == "none" ? "" : local.pipeline_tag)
  # The first apply cannot depend on an image that does not exist yet: with no image tag the
  # group has no instance (min = max = desired = 0); the first deploy (or a tag) launches it.
  deployed = local.deployed_tag != ""
  # Listener rules, request-count scaling and ELB health checks need the target group to be
  # behind the ALB: only while the service takes traffic (its context is extracted).
  routed = var.listener_rule
}

resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 30 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 30 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/services/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-instance"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-instance"
  role = aws_iam_role.this.name
}

# What every instance of the service needs: pull its own image, write its own logs, send
# traces. Data stores and queues add their own statements to this role.
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullOwnImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "SendTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }

  statement {
    sid       = "DecryptImagesAndLogs"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "base" {
  name   = "service-base"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.base.json
}

# A shell on an instance through SSM Session Manager (`aws ssm start-session --target <id>`),
# audited in CloudTrail: no key pair, no port 22 open anywhere.
resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_security_group" "this" {
  name        = "${var.name}-instances"
  description = "Instances of ${var.service}: traffic from the ALB only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "HTTP from the ALB"
    from_port       = var.port
    to_port         = var.port
    protocol        = "tcp"
    security_groups = [var.alb_security_group_id]
  }

  egress {
    description = "HTTPS to AWS APIs, ECR and other services through the NAT gateway"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "Databases and internal load balancers inside the VPC"
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = [data.aws_vpc.this.cidr_block]
  }
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

resource "aws_launch_template" "this" {
  #checkov:skip=CKV_AWS_341:the service and its collector run in containers, which reach IMDSv2 only with a hop limit of 2 (see metadata_options)
  name_prefix   = "${var.name}-"
  image_id      = var.ami_id
  instance_type = var.instance_type
  ebs_optimized = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  # IMDSv2 only, with a hop limit of 2: the service and the collector run in containers on a
  # Docker bridge network, one hop beyond the instance, and get the instance role's credentials
  # (and the region) from IMDS. With 1 hop the token's response never reaches them and every
  # AWS call fails. AWS recommends a hop limit of 2 for containers when IMDSv2 is required
  # (EC2 User Guide, "Instance metadata access considerations":
  # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html#imds-considerations).
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  network_interfaces {
    associate_public_ip_address = false
    security_groups             = [aws_security_group.this.id]
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 20
      volume_type = "gp3"
      encrypted   = true
      kms_key_id  = var.kms_key_arn
    }
  }

  monitoring {
    enabled = true
  }

  # The image tag is part of the launch template: each deploy is a new template version (the
  # deploy job creates it from $Latest with the new image; an apply creates it for a new
  # `image_tag`), which the group's instance refresh rolls out; a rollback is a copy of the
  # previous version (README.md, "Deploys and rollbacks").
  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    region      = data.aws_region.current.name
    repository  = aws_ecr_repository.this.repository_url
    image_tag   = local.deployed_tag
    collector   = var.collector_image
    port        = var.port
    log_group   = aws_cloudwatch_log_group.this.name
    service     = var.service
    environment = var.environment
    database    = var.database
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.name, Service = var.service }
  }

  # The service's deploy role may add versions to the launch template tagged with its name only
  # (infra/bootstrap): the template's ID is not known before it exists.
  tags = { Name = var.name, Service = var.service }
}

resource "aws_lb_target_group" "this" {
  name                 = var.target_group_name
  port                 = var.port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path    = coalesce(var.health_check_path, "${var.path_prefix}health")
    matcher = var.health_check_matcher
  }
}

# The service's prefix on the ALB, once its context is extracted; until then the ALB's default
# action sends every path to the monolith. The priority is a hash of the context's name.
resource "aws_lb_listener_rule" "this" {
  count = var.listener_rule ? 1 : 0

  listener_arn = var.alb_listener_arn
  priority     = var.listener_priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  condition {
    path_pattern {
      values = ["${var.path_prefix}*"]
    }
  }
}

resource "aws_autoscaling_group" "this" {
  name                      = var.name
  min_size                  = local.deployed ? var.min_size : 0
  max_size                  = local.deployed ? var.max_size : 0
  desired_capacity          = local.deployed ? var.desired_capacity : 0
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = [aws_lb_target_group.this.arn]
  health_check_type         = local.routed ? "ELB" : "EC2"
  health_check_grace_period = 120

  # The latest version: the one the last deploy created (and pointed the group at) or the one
  # the last apply created; both render the same user data, so neither undoes the other.
  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # A new launch template version (a new image tag) replaces the instances, half at a time.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 50
    }
  }

  tag {
    key                 = "Service"
    value               = var.service
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

# Scale on the requests each instance serves (the ALB's RequestCountPerTarget), which tracks
# load whatever the service spends its time on (waiting on the database or on another
# service does not show as CPU); the CPU policy below still scales out a CPU-bound service.
resource "aws_autoscaling_policy" "requests" {
  count = local.routed ? 1 : 0

  name                   = "${var.name}-requests"
  autoscaling_group_name = aws_autoscaling_group.this.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${var.alb_arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    }
    target_value = var.requests_per_target
  }

  depends_on = [aws_lb_listener_rule.this]
}

resource "aws_autoscaling_policy" "cpu" {
  name                   = "${var.name}-cpu"
  autoscaling_group_name = aws_autoscaling_group.this.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target_percent
  }
}

resource "aws_cloudwatch_metric_alarm" "errors_5xx" {
  alarm_name          = "${var.name}-5xx-rate"
  alarm_description   = "More than ${var.error_rate_threshold_percent}% of ${var.service} responses are 5xx"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  threshold           = var.error_rate_threshold_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "100 * errors / MAX([errors, requests])"
    label       = "5xx rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "${var.name}-latency-p95"
  alarm_description   = "p95 response time of ${var.service} above ${var.latency_threshold_seconds} s"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p95"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.latency_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-cpu"
  alarm_description   = "CPU of ${var.service} above 85% although it scales out at ${var.cpu_target_percent}%"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  dimensions          = { AutoScalingGroupName = aws_autoscaling_group.this.name }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "unhealthy" {
  alarm_name          = "${var.name}-unhealthy-targets"
  alarm_description   = "Instances of ${var.service} fail the load balancer's health check"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Requests and 5xx"
          region = data.aws_region.current.name
          metrics = [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix, "TargetGroup", aws_lb_target_group.this.arn_suffix, { stat = "Sum" }],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix, "TargetGroup", aws_lb_target_group.this.arn_suffix, { stat = "Sum" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "p95 response time"
          region = data.aws_region.current.name
          metrics = [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, "TargetGroup", aws_lb_target_group.this.arn_suffix, { stat = "p95" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title  = "CPU and instances"
          region = data.aws_region.current.name
          metrics = [
            ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", aws_autoscaling_group.this.name],
            ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", aws_autoscaling_group.this.name],
          ]
        }
      },
      {
        type = "log", x = 12, y = 6, width = 12, height = 6
        properties = {
          title  = "Errors"
          region = data.aws_region.current.name
          query  = "SOURCE '${aws_cloudwatch_log_group.this.name}' | fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 50"
        }
      },
    ]
  })
}
