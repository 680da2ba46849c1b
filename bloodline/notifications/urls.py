from __future__ import annotations

from django.urls import path

from bloodline.notifications import views

app_name = "notifications"
urlpatterns = [
    path("<uuid:public_id>/templates/", views.template_list, name="templates"),
    path("<uuid:public_id>/templates/edit/", views.template_edit, name="edit_template"),
    path("<uuid:public_id>/messages-sent/", views.switch_messages, name="switch_messages"),
]
