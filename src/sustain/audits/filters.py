import django_filters

from sustain.audits.models import Audit, AuditAttachment, AuditTemplate


class AuditTemplateFilter(django_filters.FilterSet):
    playbook_id = django_filters.UUIDFilter(field_name="playbook__uuid")

    class Meta:
        model = AuditTemplate
        fields = ["code", "playbook_id"]


class AuditFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    template_id = django_filters.UUIDFilter(field_name="template__uuid")
    template_code = django_filters.CharFilter(field_name="template__code")
    date_from = django_filters.DateFilter(field_name="audit_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="audit_date", lookup_expr="lte")

    class Meta:
        model = Audit
        fields = ["location_id", "theme_id", "template_id", "template_code", "status",
                  "is_reaudit", "kind", "passed", "date_from", "date_to"]


class AuditAttachmentFilter(django_filters.FilterSet):
    audit_id = django_filters.UUIDFilter(field_name="audit__uuid")

    class Meta:
        model = AuditAttachment
        fields = ["audit_id", "question_code"]
