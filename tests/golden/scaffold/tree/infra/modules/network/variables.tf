variable "name" {
  description = "Prefix of every resource name (project-environment)"
  type        = string
}

variable "cidr_block" {
  description = "CIDR block of the VPC"
  type        = string
}

variable "public_subnets" {
  description = "CIDR blocks of the public subnets, one per availability zone"
  type        = list(string)
}

variable "private_subnets" {
  description = "CIDR blocks of the private subnets, one per availability zone"
  type        = list(string)
}

variable "availability_zones" {
  description = "Availability zones, as many as subnets of each kind"
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow log group"
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the VPC flow log group"
  type        = number
}
