from django.contrib import admin

from sustain.signals.models import Signal


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("indicator", "location", "period_start", "direction", "status", "due_at")
    list_filter = ("direction", "status")
    readonly_fields = [f.name for f in Signal._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
