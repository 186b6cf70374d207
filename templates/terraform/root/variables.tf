variable "environment" {
  description = "Environment name, part of every resource name"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,7}$", var.environment))
    error_message = "The environment is 1 to 8 lowercase letters and digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region"
  type        = string
}

variable "availability_zones" {
  description = "The two availability zones of the subnets"
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "emulator" {
  description = "Leave out what a local AWS emulator cannot create (see emulator.tfvars)"
  type        = bool
  default     = false
}

variable "ami_id" {
  description = "AMI of the service instances"
  type        = string
  default     = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "instance_type" {
  description = "EC2 instance type of the services"
  type        = string
  default     = "t3.small"
}

variable "min_size" {
  description = "Minimum instances per service"
  type        = number
  default     = 2
}

variable "max_size" {
  description = "Maximum instances per service"
  type        = number
  default     = 6
}

variable "cpu_target_percent" {
  description = "Average CPU each service's target-tracking policy keeps"
  type        = number
  default     = 60
}

variable "extracted" {
  description = "Contexts whose service has taken their routes over from the monolith, in the plan's extraction order (README: Moving a context out)"
  type        = list(string)
  default     = []
}

variable "image_tags" {
  description = "Image tag pinned for a service, by context; without one a service runs the tag its pipeline deployed last (SSM /services/<name>/image-tag), or no instance before its first deploy"
  type        = map(string)
  default     = {}
}

variable "monolith_image_tag" {
  description = "Tag of the monolith's image in its repository (outputs: monolith.repository); \"\" runs no monolith instance"
  type        = string
  default     = ""
}

variable "monolith_port" {
  description = "Port the monolith's container listens on"
  type        = number
  default     = 8000
}

variable "monolith_health_check_path" {
  description = "Path the load balancer checks on the monolith (2xx or 3xx is healthy)"
  type        = string
  default     = "/"
}

variable "monolith_environment" {
  description = "Environment variables of the monolith's container (no secrets: read those at start from Secrets Manager)"
  type        = map(string)
  default     = {}
}

variable "collector_image" {
  description = "OpenTelemetry collector each instance runs beside its service, pinned to a version"
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0"
}

variable "requests_per_target" {
  description = "Requests per instance per minute each service's request-count scaling policy keeps"
  type        = number
  default     = 1000
}

variable "db_instance_class" {
  description = "db.serverless (Aurora Serverless v2, capacity from db_min_capacity to db_max_capacity), or a provisioned class such as db.r6g.large for a steady load"
  type        = string
  default     = "db.serverless"
}

variable "db_min_capacity" {
  description = "Serverless v2: fewest ACUs per instance (0 pauses an idle cluster after 15 minutes; the first connection then waits about 15 s)"
  type        = number
  default     = 0.5
}

variable "db_max_capacity" {
  description = "Serverless v2: most ACUs per instance"
  type        = number
  default     = 16
}

variable "shared_database_cluster" {
  description = "One Aurora cluster per engine holding every service's database (each with its own role), instead of one cluster per service: for dev"
  type        = bool
  default     = false
}

variable "db_connections_alarm" {
  description = "Database alarm: more connections than this"
  type        = number
  default     = 500
}

variable "db_instance_count" {
  description = "Aurora instances per cluster (writer plus readers)"
  type        = number
  default     = 1
}

variable "backup_retention_days" {
  description = "Days of automated database backups"
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Protect databases, tables and load balancers from deletion"
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of every log group"
  type        = number
  default     = 365
}

variable "cache_size_gb" {
  description = "API Gateway stage cache size; null: no cache cluster, nothing cached"
  type        = string
  default     = "0.5"
}

variable "manage_api_gateway_account" {
  description = "Set API Gateway's account settings (its CloudWatch logging role), one per account and region: true in exactly one environment of each account and region"
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "Address every alarm mails through the alarm topic ('' for none; confirm the subscription mail once)"
  type        = string
  default     = ""
}

variable "cache_ttl_seconds" {
  description = "How long the API caches a GET response"
  type        = number
  default     = 60
}

variable "latency_threshold_seconds" {
  description = "Latency alarm: p95 response time above this"
  type        = number
  default     = 1
}

variable "error_rate_threshold_percent" {
  description = "5xx alarm: share of 5xx responses above this"
  type        = number
  default     = 5
}

variable "queue_age_alarm_seconds" {
  description = "Queue age alarm: oldest message older than this"
  type        = number
  default     = 300
}

variable "xray_sampling_rate" {
  description = "Share of requests traced beyond the first each second"
  type        = number
  default     = 0.05
}

variable "authorizer" {
  description = "Who checks the API's callers (README: Who may call what): cognito, a user pool made here, or lambda, your Lambda TOKEN authorizer"
  type        = string
  default     = "cognito"
}

variable "authorizer_function_arn" {
  description = "With authorizer = \"lambda\": ARN of the Lambda function that checks the bearer token"
  type        = string
  default     = ""
}
