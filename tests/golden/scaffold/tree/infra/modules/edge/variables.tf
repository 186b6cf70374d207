variable "name" {
  description = "Prefix of every resource name (project-environment)"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancers"
  type        = string
}

variable "vpc_cidr_block" {
  description = "CIDR block of the VPC (the only source the internal load balancers accept)"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the internal load balancers"
  type        = list(string)
}

variable "authorizer" {
  description = "Who checks the callers of every route not marked public: cognito (a user pool made here) or lambda (authorizer_function_arn)"
  type        = string

  validation {
    condition     = contains(["cognito", "lambda"], var.authorizer)
    error_message = "The authorizer is \"cognito\" or \"lambda\"."
  }
}

variable "authorizer_function_arn" {
  description = "With authorizer = lambda: ARN of the Lambda function that checks the bearer token (a TOKEN authorizer)"
  type        = string
  default     = ""
}

variable "kms_key_arn" {
  description = "KMS key of the access log group"
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the API access log group"
  type        = number
}

variable "cache_size_gb" {
  description = "Size of the stage cache cluster; null: no cache cluster (nothing is cached)"
  type        = string
  default     = null
}

variable "cache_ttl_seconds" {
  description = "How long the stage caches a GET response"
  type        = number
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second the stage accepts"
  type        = number
}

variable "throttle_burst_limit" {
  description = "Burst of requests the stage accepts"
  type        = number
}

variable "deletion_protection" {
  description = "Protect the load balancers from deletion"
  type        = bool
}

variable "enable_account_logging_role" {
  description = "Set the account-wide role API Gateway logs with (once per account and region)"
  type        = bool
}

variable "alarm_actions" {
  description = "ARNs every alarm notifies (the alarm topic)"
  type        = list(string)
}

variable "error_rate_threshold_percent" {
  description = "5xx alarm: share of 5xx answers above this"
  type        = number
}

variable "latency_threshold_seconds" {
  description = "Latency alarm: p95 above this"
  type        = number
}
