from django.contrib import admin

from topics.models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    # A plain multiple select: Django's filter_horizontal widget puts aria-label on a bare <span> (axe:
    # aria-prohibited-attr). Operators are usually chosen on the product's own topic pages anyway.
