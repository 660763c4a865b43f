/**
 * A client team's journey through agora, using only the TypeScript SDK that
 * openapi-generator's typescript-fetch generates from openapi/openapi.json,
 * unpatched: register, profile, circle, post, comment, like, feed, search, a
 * private message, the export and deregistration. The same steps as
 * journey.py. Run by openapi/sdk/run-typescript, which generates the client
 * into ./agora_client beside this file and compiles both with tsc --strict.
 *
 * Usage: node journey.js BASE_URL SMS_TEST_CODE
 */
import { randomUUID } from "node:crypto";

import {
  AuthApi,
  CommunityApi,
  Configuration,
  ContentChoice,
  DeregistrationViewToJSON,
  MeApi,
  MeToJSON,
  MessageKind,
  MessagesApi,
  type Middleware,
  PrivacyApi,
  ResponseError,
  ScopeChoice,
  SearchApi,
  PurposeKey,
  SmsPurpose,
  AuthSessionToJSON,
  CircleViewToJSON,
  CommentViewToJSON,
  ConversationViewToJSON,
  ExportDocumentToJSON,
  LikeStateToJSON,
  MessageViewToJSON,
  PageCircleViewToJSON,
  PageMessageViewToJSON,
  PagePostViewToJSON,
  PageSearchHitToJSON,
  PostViewToJSON,
  SmsCodeSentToJSON,
  instanceOfAuthSession,
  instanceOfCircleKind,
  instanceOfCircleView,
  instanceOfCommentView,
  instanceOfContentChoice,
  instanceOfConversationView,
  instanceOfDeregistrationView,
  instanceOfExportDocument,
  instanceOfLikeState,
  instanceOfMe,
  instanceOfMessageKind,
  instanceOfMessageView,
  instanceOfPageCircleView,
  instanceOfPageMessageView,
  instanceOfPagePostView,
  instanceOfPageSearchHit,
  instanceOfPostView,
  instanceOfRole,
  instanceOfScopeChoice,
  instanceOfSmsCodeSent,
} from "./agora_client";

const [BASE, CODE] = process.argv.slice(2);
if (!BASE || !CODE) {
  throw new Error("usage: node journey.js BASE_URL SMS_TEST_CODE");
}
const PASSWORD = "a long journey password";

/** The body of the last JSON answer, as it came over the wire. */
let wire: unknown = undefined;
const recorder: Middleware = {
  async post({ response }) {
    const type = response.headers.get("content-type") ?? "";
    wire = type.includes("json") ? await response.clone().json() : undefined;
  },
};

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) fail(`assertion failed: ${message}`);
}

/**
 * The wire value and the model turned back into JSON agree: no field the
 * server sent was dropped or changed by the parse (dates compare as instants,
 * a null compares equal to an absent field).
 */
function sameJSON(sent: unknown, back: unknown, path: string): string | null {
  if (sent === null || sent === undefined) {
    return back === null || back === undefined ? null : `${path}: sent ${sent}, parsed ${JSON.stringify(back)}`;
  }
  if (Array.isArray(sent)) {
    if (!Array.isArray(back) || back.length !== sent.length) return `${path}: sent an array, parsed ${JSON.stringify(back)}`;
    for (let i = 0; i < sent.length; i++) {
      const problem = sameJSON(sent[i], back[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof sent === "object") {
    if (typeof back !== "object" || back === null) return `${path}: sent an object, parsed ${JSON.stringify(back)}`;
    const b = back as Record<string, unknown>;
    for (const [key, value] of Object.entries(sent as Record<string, unknown>)) {
      if (value !== null && !(key in b)) return `${path}.${key}: sent ${JSON.stringify(value)}, the model has no such field`;
      const problem = sameJSON(value, b[key], `${path}.${key}`);
      if (problem) return problem;
    }
    for (const key of Object.keys(b)) {
      if (b[key] !== undefined && b[key] !== null && !(key in (sent as object))) return `${path}.${key}: not sent, parsed ${JSON.stringify(b[key])}`;
    }
    return null;
  }
  if (sent === back) return null;
  if (typeof sent === "string" && typeof back === "string" && /^\d{4}-\d\d-\d\dT/.test(sent)) {
    const [s, p] = [Date.parse(sent), Date.parse(back)];
    if (!Number.isNaN(s) && s === p) return null;
  }
  return `${path}: sent ${JSON.stringify(sent)}, parsed ${JSON.stringify(back)}`;
}

/** Every Date the parse made is a real instant. */
function validDates(value: unknown, path: string): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? `${path}: not a date-time` : null;
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const problem = validDates(inner, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

/** The SDK parsed the answer into the model the spec promised. */
function check<T extends object>(
  value: T,
  kind: string,
  is: (value: object) => value is T,
  toJSON: (value: T) => unknown,
): T {
  if (typeof value !== "object" || value === null || !is(value)) {
    fail(`expected ${kind}, got ${JSON.stringify(value)}`);
  }
  const problem = validDates(value, kind) ?? sameJSON(wire, JSON.parse(JSON.stringify(toJSON(value))), kind);
  if (problem) fail(`${kind} was not parsed faithfully: ${problem}`);
  return value;
}

function configuration(token?: string): Configuration {
  return new Configuration({ basePath: BASE, accessToken: token, middleware: [recorder] });
}

async function register(auth: AuthApi, phone: string, nickname: string, version: string) {
  const sent = await auth.authSendSmsCode({
    sendSmsCodeRequest: { phone, purpose: SmsPurpose.Register, consents: [PurposeKey.Account] },
  });
  check(sent, "SmsCodeSent", instanceOfSmsCodeSent, SmsCodeSentToJSON);
  const session = await auth.authRegister({
    registerRequest: {
      phone,
      smsCode: CODE,
      password: PASSWORD,
      nickname,
      consents: [PurposeKey.Account],
      acceptedNoticeVersion: version,
    },
  });
  check(session, "AuthSession", instanceOfAuthSession, AuthSessionToJSON);
  return configuration(session.token);
}

async function main() {
  const anon = configuration();
  const notice = await new PrivacyApi(anon).privacyGetNoticeRaw({});
  const version = notice.raw.headers.get("x-notice-version");
  assert(version, "the notice answer has an x-notice-version header");
  const suffix = String(Math.floor(Date.now() / 1000) % 100000000).padStart(8, "0");
  const auth = new AuthApi(anon);
  const me = await register(auth, `139${suffix}`, "旅行者", version);
  const peer = await register(auth, `138${suffix}`, "同行者", version);

  const profile = await new MeApi(me).meUpdateProfile({ profilePatch: { signature: "walking the API" } });
  check(profile, "Me", instanceOfMe, MeToJSON);
  const community = new CommunityApi(me);
  const circles = check(await community.circlesList(), "PageCircleView", instanceOfPageCircleView, PageCircleViewToJSON);
  const circle = circles.items[0];
  assert(circle, "there is a circle to join");
  assert(instanceOfCircleKind(circle.kind), `CircleView.kind is a CircleKind: ${circle.kind}`);
  check(await community.circlesJoin({ id: circle.id }), "CircleView", instanceOfCircleView, CircleViewToJSON);

  const word = `journey${randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const post = check(
    await community.postsCreate({
      newPostBody: { title: `${word} first post`, body: "hello from the SDK", circleId: circle.id },
    }),
    "PostView",
    instanceOfPostView,
    PostViewToJSON,
  );
  const peerCommunity = new CommunityApi(peer);
  check(
    await peerCommunity.commentsCreate({ id: post.id, newComment: { body: "welcome" } }),
    "CommentView",
    instanceOfCommentView,
    CommentViewToJSON,
  );
  check(await peerCommunity.postsLike({ id: post.id }), "LikeState", instanceOfLikeState, LikeStateToJSON);
  const plaza = check(
    await new CommunityApi(anon).feedsPlaza(),
    "PagePostView",
    instanceOfPagePostView,
    PagePostViewToJSON,
  );
  assert(plaza.items.some((p) => p.id === post.id), "the post is on the plaza");

  let found: string[] = [];
  const search = new SearchApi(anon);
  for (let i = 0; i < 50; i++) {
    const hits = check(await search.searchQuery({ q: word }), "PageSearchHit", instanceOfPageSearchHit, PageSearchHitToJSON);
    found = hits.items.map((h) => h.id);
    if (found.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert(found.includes(post.id), `search finds the post: ${JSON.stringify(found)}`);

  const meView = check(await new MeApi(me).meGet(), "Me", instanceOfMe, MeToJSON);
  assert(instanceOfRole(meView.role), `Me.role is a Role: ${meView.role}`);
  const peerView = check(await new MeApi(peer).meGet(), "Me", instanceOfMe, MeToJSON);
  const messages = new MessagesApi(me);
  const conversation = check(
    await messages.messagesCreateConversation({ newConversation: { peerId: peerView.id } }),
    "ConversationView",
    instanceOfConversationView,
    ConversationViewToJSON,
  );
  const sent = await messages.messagesSend({
    id: conversation.id,
    newMessageBody: { clientId: randomUUID(), kind: MessageKind.Text, text: "你好" },
  });
  check(sent, "MessageView", instanceOfMessageView, MessageViewToJSON);
  assert(instanceOfMessageKind(sent.kind), `MessageView.kind is a MessageKind: ${sent.kind}`);
  const history = check(
    await new MessagesApi(peer).messagesList({ id: conversation.id }),
    "PageMessageView",
    instanceOfPageMessageView,
    PageMessageViewToJSON,
  );
  assert(history.items[0]?.text === "你好", "the peer reads the message");

  const exported = check(await new PrivacyApi(me).meExport(), "ExportDocument", instanceOfExportDocument, ExportDocumentToJSON);
  assert(exported.userId === meView.id, "the export is mine");

  const pending = await new PrivacyApi(me).meRequestDeregistration({
    deregistrationRequest: { scope: ScopeChoice.Account, content: ContentChoice.Delete, password: PASSWORD },
  });
  check(pending, "DeregistrationView", instanceOfDeregistrationView, DeregistrationViewToJSON);
  assert(
    instanceOfScopeChoice(pending.scope) && instanceOfContentChoice(pending.content),
    `DeregistrationView.scope/content are a ScopeChoice/ContentChoice: ${pending.scope}/${pending.content}`,
  );
  console.log("journey complete");
}

main().catch(async (error: unknown) => {
  if (error instanceof ResponseError) {
    const { url, status } = error.response;
    fail(`${status} from ${url}: ${await error.response.text()}`);
  }
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
