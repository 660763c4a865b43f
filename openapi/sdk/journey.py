"""A client team's journey through agora, using only the Python SDK that
openapi-python-client generates from openapi/openapi.json, unpatched:
register, profile, circle, post, comment, like, feed, search, a private
message, the export and deregistration. Run by openapi/sdk/run-python.

Usage: journey.py BASE_URL SMS_TEST_CODE
"""
import sys
import time
import uuid

from agora_client import AuthenticatedClient, Client
from agora_client.api.auth import auth_register, auth_send_sms_code
from agora_client.api.community import (
    circles_join,
    circles_list,
    comments_create,
    feeds_plaza,
    posts_create,
    posts_like,
)
from agora_client.api.me import me_get, me_update_profile
from agora_client.api.messages import messages_create_conversation, messages_list, messages_send
from agora_client.api.privacy import me_export, me_request_deregistration, privacy_get_notice
from agora_client.api.search import search_query
from agora_client.models import (
    ContentChoice,
    DeregistrationRequest,
    MessageKind,
    NewComment,
    NewConversation,
    NewMessageBody,
    NewPostBody,
    ProfilePatch,
    RegisterRequest,
    ScopeChoice,
    SendSmsCodeRequest,
    PurposeKey,
    SmsPurpose,
)

BASE, CODE = sys.argv[1], sys.argv[2]
PASSWORD = "a long journey password"


def check(value, kind):
    """The SDK parsed the answer into the model the spec promised."""
    if type(value).__name__ != kind:
        raise SystemExit(f"expected {kind}, got {type(value).__name__}: {value}")
    return value


def register(anon, phone, nickname, version):
    sent = auth_send_sms_code.sync(
        client=anon,
        body=SendSmsCodeRequest(phone=phone, purpose=SmsPurpose.REGISTER, consents=[PurposeKey.ACCOUNT]),
    )
    check(sent, "SmsCodeSent")
    session = auth_register.sync(
        client=anon,
        body=RegisterRequest(
            phone=phone,
            sms_code=CODE,
            password=PASSWORD,
            nickname=nickname,
            consents=[PurposeKey.ACCOUNT],
            accepted_notice_version=version,
        ),
    )
    check(session, "AuthSession")
    return AuthenticatedClient(base_url=BASE, token=session.token)


def main():
    anon = Client(base_url=BASE)
    notice = privacy_get_notice.sync_detailed(client=anon)
    version = notice.headers["x-notice-version"]
    suffix = f"{int(time.time()) % 100000000:08d}"
    me = register(anon, f"139{suffix}", "旅行者", version)
    peer = register(anon, f"138{suffix}", "同行者", version)

    profile = me_update_profile.sync(client=me, body=ProfilePatch(signature="walking the API"))
    check(profile, "Me")
    circles = check(circles_list.sync(client=me), "PageCircleView")
    circle = circles.items[0]
    check(circles_join.sync(client=me, id=circle.id), "CircleView")

    word = f"journey{uuid.uuid4().hex[:8]}"
    post = check(
        posts_create.sync(
            client=me,
            body=NewPostBody(title=f"{word} first post", body="hello from the SDK", circle_id=circle.id),
        ),
        "PostView",
    )
    check(comments_create.sync(client=peer, id=post.id, body=NewComment(body="welcome")), "CommentView")
    check(posts_like.sync(client=peer, id=post.id), "LikeState")
    plaza = check(feeds_plaza.sync(client=anon), "PagePostView")
    assert any(p.id == post.id for p in plaza.items), "the post is on the plaza"

    found = []
    for _ in range(50):
        hits = check(search_query.sync(client=anon, q=word), "PageSearchHit")
        found = [h.id for h in hits.items]
        if found:
            break
        time.sleep(0.2)
    assert str(post.id) in [str(f) for f in found], f"search finds the post: {found}"

    me_view = check(me_get.sync(client=me), "Me")
    peer_view = check(me_get.sync(client=peer), "Me")
    conversation = check(
        messages_create_conversation.sync(client=me, body=NewConversation(peer_id=peer_view.id)),
        "ConversationView",
    )
    sent = messages_send.sync(
        client=me,
        id=conversation.id,
        body=NewMessageBody(client_id=str(uuid.uuid4()), kind=MessageKind.TEXT, text="你好"),
    )
    check(sent, "MessageView")
    history = check(messages_list.sync(client=peer, id=conversation.id), "PageMessageView")
    assert history.items[0].text == "你好"

    export = check(me_export.sync(client=me), "ExportDocument")
    assert str(export.user_id) == str(me_view.id)

    pending = me_request_deregistration.sync(
        client=me,
        body=DeregistrationRequest(
            scope=ScopeChoice.ACCOUNT, content=ContentChoice.DELETE, password=PASSWORD
        ),
    )
    check(pending, "DeregistrationView")
    print("journey complete")


main()
