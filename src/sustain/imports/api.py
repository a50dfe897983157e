"""REST resources for imports: upload (multipart `file`, or JSON `content` holding CSV text)
→ `POST imports/{id}/validate/` → `POST imports/{id}/commit/`; the row report as JSON (in the
job) and as CSV (`GET imports/{id}/report.csv/` — with the trailing slash every route of this
API has); templates and exports per kind."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from sustain.core.api import ScopedReadViewSet, UUIDRelatedField
from sustain.core.errors import InvalidInput
from sustain.engine.access import Perm
from sustain.engine.import_rows import cell_text
from sustain.imports import exports, services
from sustain.imports.filters import ImportJobFilter
from sustain.imports.models import ImportJob
from sustain.imports.permissions import filter_import_jobs_visible
from sustain.imports.registry import get_kind, kinds
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_locations_visible

BACKGROUND_BYTES = 5 * 1024 * 1024  # larger files are validated and committed by Huey


def background_threshold() -> int:
    return int(getattr(settings, "SUSTAIN_IMPORT_BACKGROUND_BYTES", BACKGROUND_BYTES))


class ImportJobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    created_by = serializers.CharField(source="created_by.username", read_only=True,
                                       default=None)

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "location", "original_name", "size", "sha256", "status",
                  "counts", "report", "created_by", "version", "created_at", "updated_at"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    location = UUIDRelatedField(queryset=Location.objects.all(), visible=filter_locations_visible)
    file = serializers.FileField(required=False)
    content = serializers.CharField(required=False, trim_whitespace=False,
                                    help_text="CSV text, instead of a file (small imports).")
    name = serializers.CharField(required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("file") and not attrs.get("content"):
            raise serializers.ValidationError({"file": ["Upload a CSV or XLSX file."]})
        return attrs


def _run(job: ImportJob, actor: Any, step: str) -> tuple[ImportJob, int]:
    """Small files run now; large ones are queued (progress is stored in `counts`)."""
    from sustain.imports import tasks

    if job.size > background_threshold():
        (tasks.import_validate_task if step == "validate" else tasks.import_commit_task)(
            job.pk, actor.pk)
        job.refresh_from_db()
        return job, status.HTTP_202_ACCEPTED
    run = services.job_validate if step == "validate" else services.job_commit
    return run(actor=actor, job=job), status.HTTP_200_OK


KIND_PARAM = OpenApiParameter("kind", str, required=True, enum=None,
                              description="The import kind, e.g. people or medicines-checks.")
TYPE_PARAM = OpenApiParameter("file_type", str, enum=["csv", "xlsx"], required=False)


class ImportJobViewSet(ScopedReadViewSet):
    """Import jobs at the locations where you may run imports."""

    queryset = ImportJob.objects.select_related("location", "created_by")
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilter
    view_permission = Perm.IMPORT_RUN
    filter_visible = staticmethod(filter_import_jobs_visible)
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=UploadSerializer, responses={201: ImportJobSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a spreadsheet (checked for size, type and header row; nothing is written
        until it is validated and committed)."""
        data = UploadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values.get("file")
        if upload is not None:
            fileobj, name, size = upload, upload.name, upload.size
        else:
            raw = values["content"].encode()
            fileobj, name, size = io.BytesIO(raw), values.get("name") or "upload.csv", len(raw)
        job = services.job_upload(actor=request.user, organisation=request.user.organisation,
                                  location=values["location"], kind=values["kind"],
                                  fileobj=fileobj, name=name, size=size)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportJobSerializer,
                                            202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Dry run: every problem by row, column and message; nothing is written."""
        job, code = _run(self.get_object(), request.user, "validate")
        return Response(self.get_serializer(job).data, status=code)

    @extend_schema(request=None, responses={200: ImportJobSerializer,
                                            202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write every row or none (only after a validation without problems)."""
        job, code = _run(self.get_object(), request.user, "commit")
        return Response(self.get_serializer(job).data, status=code)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="report.csv", url_name="report-csv")
    def report_csv(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The row-level report as CSV (row, column, message)."""
        job = self.get_object()
        rows = [["", "", cell_text(m)] for m in job.report.get("file", [])]
        rows += [[str(p["row"]), cell_text(p["column"]), cell_text(p["message"])]
                 for p in job.report.get("problems", [])]
        body = "".join(exports.csv_lines(["row", "column", "message"], rows))
        response = HttpResponse(body, content_type=exports.CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="import-{job.uuid}-report.csv"'
        return response

    @extend_schema(parameters=[KIND_PARAM, TYPE_PARAM],
                   responses={(200, "text/csv"): OpenApiTypes.STR,
                              (200, exports.XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """A template for a kind: the header, one example row and help for every column."""
        kind = get_kind(request.query_params.get("kind", ""))
        if request.query_params.get("file_type") == "xlsx":
            response = HttpResponse(exports.template_xlsx(kind), content_type=exports.XLSX_TYPE)
            ext = "xlsx"
        else:
            response = HttpResponse(exports.template_csv(kind), content_type=exports.CSV_TYPE)
            ext = "csv"
        response["Content-Disposition"] = f'attachment; filename="{kind.name}-template.{ext}"'
        return response

    @extend_schema(parameters=[KIND_PARAM, TYPE_PARAM, OpenApiParameter(
        "location", OpenApiTypes.UUID, required=False)],
        responses={(200, "text/csv"): OpenApiTypes.STR,
                   (200, exports.XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """Export a kind's records you may see (filtered like the kind's own list) as CSV
        or XLSX; cells that a spreadsheet would run as formulas are neutralised."""
        return export_response(request.user, request.query_params)


def export_response(actor: Any, params: Any) -> HttpResponse:
    kind = get_kind(params.get("kind", ""))
    location = None
    if params.get("location"):
        location = filter_locations_visible(Location.objects.all(), actor).filter(
            uuid=params["location"]).first() if _is_uuid(params["location"]) else None
        if location is None:
            raise InvalidInput("Choose a location you can see.", {"location": ["Not found."]})
    qs = exports.export_queryset(actor=actor, kind=kind, location=location, params=params)
    header = list(kind.export_columns)
    if params.get("file_type") == "xlsx":
        body = exports.xlsx_bytes([(kind.name[:31], [header, *exports.rows_for(kind, qs)])])
        response: HttpResponse = HttpResponse(body, content_type=exports.XLSX_TYPE)
        ext = "xlsx"
    else:
        response = StreamingHttpResponse(exports.csv_lines(header, exports.rows_for(kind, qs)),
                                         content_type=exports.CSV_TYPE)
        ext = "csv"
    response["Content-Disposition"] = f'attachment; filename="{kind.name}.{ext}"'
    return response


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
