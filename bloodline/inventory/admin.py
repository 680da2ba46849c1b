from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bloodline.audit.admin import AuditedAdminMixin
from bloodline.inventory.models import Component, ProductCode
from bloodline.jurisdictions.loader import registry
from bloodline.lib.admin import ReadOnlyAdminMixin


class ProductCodeForm(forms.ModelForm[ProductCode]):
    """Product codes are loaded by the deployment (ICCBBA's table is licensed, none ships):
    each names a component type of the establishment's rule set."""

    class Meta:
        model = ProductCode
        fields = ["establishment", "code", "component_code", "description", "active"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        establishment = data.get("establishment")
        code = str(data.get("code") or "").strip().upper()
        data["code"] = code
        if establishment is not None and not establishment.is_establishment:
            self.add_error("establishment", _("Choose a blood establishment."))
        elif establishment is not None:
            known = {
                c.code for r in registry.versions(establishment.jurisdiction) for c in r.components
            }
            if data.get("component_code") not in known:
                self.add_error(
                    "component_code",
                    _("Enter a component type of the establishment's rule set."),
                )
        return data


@admin.register(ProductCode)
class ProductCodeAdmin(AuditedAdminMixin, admin.ModelAdmin[ProductCode]):
    form = ProductCodeForm
    list_display = ["code", "description", "component_code", "establishment", "active"]
    list_filter = ["active", "component_code"]
    search_fields = ["code", "description"]

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # components keep the code; deactivate instead


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Component]):
    list_display = ["__str__", "component_code", "status", "abo", "rhd", "expires_at"]
    list_filter = ["status", "component_kind"]
    search_fields = ["donation__din", "product_code"]
