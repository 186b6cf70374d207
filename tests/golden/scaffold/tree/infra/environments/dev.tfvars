environment         = "dev"
region              = "eu-west-1"
availability_zones  = ["eu-west-1a", "eu-west-1b"]
min_size            = 1
max_size            = 2
db_instance_count   = 1
deletion_protection = false
log_retention_days  = 365
