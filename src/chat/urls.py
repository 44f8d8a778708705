"""Chat pages, included at /chat/ under the "chat" namespace."""

from __future__ import annotations

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_home, name="home"),
    path("customers/<uuid:customer_id>/", views.chat_start, name="start"),
    path("<uuid:thread_id>/", views.chat_thread, name="thread"),
    path("<uuid:thread_id>/messages", views.thread_messages, name="messages"),
    path("<uuid:thread_id>/attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
]
