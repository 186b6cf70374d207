variable "name" {
  description = "Name of the service's resources (project-environment-service)"
  type        = string
}

variable "target_group_name" {
  description = "Name of the target group (at most 32 characters)"
  type        = string
}

variable "service" {
  description = "Service (bounded context) name"
  type        = string
}

variable "path_prefix" {
  description = "Path prefix the ALB routes to this service, with both slashes"
  type        = string
}

variable "port" {
  description = "Port the service listens on"
  type        = number
}

variable "listener_priority" {
  description = "Priority of the service's ALB listener rule (unique per listener)"
  type        = number
  default     = null
}

variable "vpc_id" {
  description = "VPC of the service"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the instances"
  type        = list(string)
}

variable "alb_listener_arn" {
  description = "ALB listener to add the path rule to"
  type        = string
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB, for CloudWatch metrics"
  type        = string
}

variable "alb_security_group_id" {
  description = "Security group of the ALB"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the log group and image repository"
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the service's log group"
  type        = number
}

variable "ami_id" {
  description = "AMI of the instances (an SSM parameter reference works too)"
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type"
  type        = string
}

variable "min_size" {
  description = "Minimum number of instances"
  type        = number
}

variable "max_size" {
  description = "Maximum number of instances"
  type        = number
}

variable "desired_capacity" {
  description = "Instances at creation (scaling changes it afterwards)"
  type        = number
}

variable "cpu_target_percent" {
  description = "Average CPU the target-tracking policy keeps"
  type        = number
}

variable "image_tag" {
  description = "Image tag pinned for the instances (part of the launch template); \"\": the tag the pipeline deployed last, none before the first deploy"
  type        = string
  default     = ""
}

variable "collector_image" {
  description = "OpenTelemetry collector image, pinned to a version"
  type        = string
}

variable "listener_rule" {
  description = "Route the service's path prefix to it (its context is extracted from the monolith)"
  type        = bool
  default     = true
}

variable "health_check_path" {
  description = "Path the target group checks (null: <path_prefix>health)"
  type        = string
  default     = null
}

variable "health_check_matcher" {
  description = "HTTP codes of a healthy target"
  type        = string
  default     = "200"
}

variable "requests_per_target" {
  description = "Requests per instance per minute the request-count scaling policy keeps"
  type        = number
}

variable "latency_threshold_seconds" {
  description = "Alarm when the p95 response time is above this"
  type        = number
}

variable "error_rate_threshold_percent" {
  description = "Alarm when more than this share of responses are 5xx"
  type        = number
}

variable "alarm_actions" {
  description = "ARNs the service's alarms notify (the alarm topic)"
  type        = list(string)
}

variable "environment" {
  description = "Environment variables of the service's container (queue prefix, table, URLs)"
  type        = map(string)
  default     = {}
}

variable "database" {
  description = "The service's Aurora database and login role: it connects with an IAM token per connection"
  type = object({
    scheme = string
    host   = string
    port   = number
    name   = string
    user   = string
  })
  default = null
}
