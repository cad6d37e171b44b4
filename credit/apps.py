from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = "政务失信记录"
