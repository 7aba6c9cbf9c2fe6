# One OBProxy managed through obshell with terraform-provider-obproxy (see docs/terraform.md for installing it).
# Secrets come from variables (TF_VAR_agent_password, TF_VAR_proxyro_password), never from this file.
terraform {
  required_providers {
    obproxy = {
      source = "pulumi-obproxy/obproxy"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "obshell agent URL, e.g. http://10.0.0.5:2886"
}

variable "agent_password" {
  type      = string
  sensitive = true
}

variable "proxyro_password" {
  type      = string
  sensitive = true
}

variable "home_path" {
  type    = string
  default = "/home/admin/obproxy"
}

variable "rs_list" {
  type    = string
  default = "127.0.0.1:2881"
}

variable "sql_port" {
  type    = number
  default = 2883
}

variable "rpc_port" {
  type    = number
  default = 2885
}

variable "exporter_port" {
  type    = number
  default = 2884
}

variable "running" {
  type    = bool
  default = true
}

variable "create_timeout" {
  type    = string
  default = "20m"
}

provider "obproxy" {
  endpoint       = var.endpoint
  agent_password = var.agent_password
}

resource "obproxy" "main" {
  home_path        = var.home_path
  rs_list          = var.rs_list
  sql_port         = var.sql_port
  rpc_port         = var.rpc_port
  exporter_port    = var.exporter_port
  proxyro_password = var.proxyro_password
  running          = var.running

  timeouts {
    create = var.create_timeout
    delete = "10m"
  }
}

output "obproxy_id" {
  value = obproxy.main.id
}

output "last_dag" {
  value = obproxy.main.last_dag
}
