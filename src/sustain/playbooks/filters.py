import django_filters

from sustain.playbooks.models import Playbook


class PlaybookFilter(django_filters.FilterSet):
    class Meta:
        model = Playbook
        fields = ["code", "source"]
