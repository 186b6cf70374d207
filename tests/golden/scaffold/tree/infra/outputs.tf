output "api_url" {
  description = "Base URL of the API: append a route of modules/edge/routes.tf"
  value       = module.edge.invoke_url
}

output "user_pool" {
  description = "Cognito user pool and app client the clients sign in with (null with a Lambda authorizer)"
  value = {
    id        = module.edge.user_pool_id
    client_id = module.edge.user_pool_client_id
  }
}

output "services" {
  description = "Per service: image repository, Auto Scaling group, image tag parameter, log group"
  value = {
    catalog = {
      repository             = module.service_catalog.repository_url
      autoscaling_group_name = module.service_catalog.autoscaling_group_name
      image_tag_parameter    = module.service_catalog.image_tag_parameter
      log_group_name         = module.service_catalog.log_group_name
    }
    customers = {
      repository             = module.service_customers.repository_url
      autoscaling_group_name = module.service_customers.autoscaling_group_name
      image_tag_parameter    = module.service_customers.image_tag_parameter
      log_group_name         = module.service_customers.log_group_name
    }
    inventory = {
      repository             = module.service_inventory.repository_url
      autoscaling_group_name = module.service_inventory.autoscaling_group_name
      image_tag_parameter    = module.service_inventory.image_tag_parameter
      log_group_name         = module.service_inventory.log_group_name
    }
    notifications = {
      repository             = module.service_notifications.repository_url
      autoscaling_group_name = module.service_notifications.autoscaling_group_name
      image_tag_parameter    = module.service_notifications.image_tag_parameter
      log_group_name         = module.service_notifications.log_group_name
    }
    orders = {
      repository             = module.service_orders.repository_url
      autoscaling_group_name = module.service_orders.autoscaling_group_name
      image_tag_parameter    = module.service_orders.image_tag_parameter
      log_group_name         = module.service_orders.log_group_name
    }
    payments = {
      repository             = module.service_payments.repository_url
      autoscaling_group_name = module.service_payments.autoscaling_group_name
      image_tag_parameter    = module.service_payments.image_tag_parameter
      log_group_name         = module.service_payments.log_group_name
    }
    shipping = {
      repository             = module.service_shipping.repository_url
      autoscaling_group_name = module.service_shipping.autoscaling_group_name
      image_tag_parameter    = module.service_shipping.image_tag_parameter
      log_group_name         = module.service_shipping.log_group_name
    }
  }
}

output "queues" {
  description = "Inbox URL of each consuming service"
  value = {
    customers = module.queue_customers.queue_url
    inventory = module.queue_inventory.queue_url
    orders    = module.queue_orders.queue_url
    payments  = module.queue_payments.queue_url
  }
}

output "databases" {
  description = "Per Aurora cluster: the Data API's resource ARN, the master secret, and the databases it holds (bootstrap-databases.sh reads this)"
  value = {
    for key, cluster in local.database_clusters : key => {
      cluster_arn = module.database[key].cluster_arn
      secret_arn  = module.database[key].secret_arn
      engine      = cluster.engine
      databases   = { for name in cluster.databases : name => local.database_clients[name].user }
    }
  }
}
