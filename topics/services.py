"""Every change to a topic and to who works it; changes to a person's topics are audited on their account."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import handoff
from accounts import services as account_services
from accounts.models import AccountAuditEntry
from topics.models import Topic


def can_manage_topics(user):
    return account_services.can_manage_accounts(user)


def can_work_topics(user):
    """Only operators and administrators work requests, so only they belong to topics."""
    return user.is_operator


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _audit_topic_change(*, by, user, added=(), removed=()):
    if added or removed:
        account_services.record(
            actor=by, target=user, action=AccountAuditEntry.Action.TOPICS_CHANGED,
            added=sorted(added), removed=sorted(removed),
        )


def _set_operators(topic, operators, *, by, reassign_to=None):
    operators = set(operators)
    for user in operators:
        _require(can_work_topics(user))
    current = set(topic.operators.all())
    added, removed = operators - current, current - operators
    topic.operators.add(*added)
    topic.operators.remove(*removed)
    for user in added:
        _audit_topic_change(by=by, user=user, added=[topic.name])
    for user in removed:
        _audit_topic_change(by=by, user=user, removed=[topic.name])
    return handoff.hand_off(sorted(removed, key=lambda user: user.pk), by=by, reassign_to=reassign_to)


@transaction.atomic
def create_topic(*, name, description="", operators=(), by):
    """A new, active topic with its operators."""
    _require(can_manage_topics(by))
    topic = Topic.objects.create(name=name.strip(), description=description.strip())
    _set_operators(topic, operators, by=by)
    return topic


@transaction.atomic
def update_topic(topic, *, name, description="", operators=(), by, reassign_to=None):
    """Rename or describe a topic and change who works it. Open requests of the topic held by someone taken
    off it go to `reassign_to` or back to Nuevo (accounts.handoff). Returns a HandOff."""
    _require(can_manage_topics(by))
    topic.name = name.strip()
    topic.description = description.strip()
    topic.save(update_fields=["name", "description"])
    return _set_operators(topic, operators, by=by, reassign_to=reassign_to)


@transaction.atomic
def set_active(topic, active, *, by):
    """Deactivate a topic (it receives no new requests; its requests and history stay) or reactivate it."""
    _require(can_manage_topics(by))
    Topic.objects.filter(pk=topic.pk).update(is_active=active)
    topic.is_active = active
    return topic


@transaction.atomic
def set_topics_of(user, topics, *, by, reassign_to=None):
    """Make `topics` exactly the topics this operator or administrator works. Open requests of a topic they
    leave go to `reassign_to` or back to Nuevo (accounts.handoff). Returns a HandOff."""
    _require(can_manage_topics(by) and can_work_topics(user))
    topics = set(topics)
    current = set(user.topics.all())
    added, removed = topics - current, current - topics
    user.topics.add(*added)
    user.topics.remove(*removed)
    _audit_topic_change(by=by, user=user, added=[t.name for t in added], removed=[t.name for t in removed])
    return handoff.hand_off([user] if removed else [], by=by, reassign_to=reassign_to)


@transaction.atomic
def invite_staff(*, email, full_name, role, phone="", topics=(), by):
    """Invite an operator or administrator: create their account (accounts.services.create_invited_user),
    give them `topics`, then queue the invitation email, which names those topics. One transaction: an error
    leaves no account, no topics and no email. Returns the new user; raises ValidationError as
    create_invited_user does.

    It lives here, not in accounts, because it sets topics: topics imports accounts, never the reverse. The
    rest of the invitation (resending it, the link, accepting it) needs no topics and lives in accounts.
    """
    _require(can_manage_topics(by))
    invitee = account_services.create_invited_user(email=email, full_name=full_name, role=role, phone=phone,
                                                   by=by)
    if topics:
        set_topics_of(invitee, topics, by=by)
    account_services.send_invitation(invitee, by=by)
    return invitee
