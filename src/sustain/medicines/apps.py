from django.apps import AppConfig


class MedicinesConfig(AppConfig):
    name = "sustain.medicines"
    label = "medicines"
