// The contact page: sign up / sign in with Cognito, then send and list messages through the API.
// Plain fetch calls, no SDK: what the browser sends is what you would see in its network tab. The same page at
// /?sdk signs up and in with amazon-cognito-identity-js instead (sdk-auth.js), as most front-end tutorials do.
// config.js (written by the notebooks) sets window.CONTACT_CONFIG = {region, userPoolId, clientId, cognitoEndpoint, apiUrl}.
const config = window.CONTACT_CONFIG;
const $ = (id) => document.getElementById(id);
let idToken = sessionStorage.getItem("idToken");
let pendingEmail = null;  // the address waiting for its code, between sign-up and confirm

const domain = location.hostname.replace(/^www\./, "");
document.title = `Contact · ${domain}`;
document.querySelector("header .site").textContent = domain;

function show(message, isError = false, line = $("status")) {
  line.textContent = message;
  line.classList.toggle("error", isError);
}

// While a call is in flight its button says so and cannot be pressed twice; the label comes back afterwards.
async function busy(button, label, work) {
  const idle = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = idle;
  }
}

// Cognito's API is JSON over POST, the operation named in X-Amz-Target; sign-up and sign-in need no AWS credentials.
async function cognito(operation, body) {
  const response = await fetch(config.cognitoEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify({ ClientId: config.clientId, ...body }),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.message || data.__type || `${operation} failed`);
  return data;
}

// Sign-up and sign-in, plainly: four Cognito calls. sdk-auth.js offers the same four through the SDK.
const plainAuth = {
  way: "plain Cognito API calls (USER_PASSWORD_AUTH)",
  signUp: (email, password) => cognito("SignUp", { Username: email, Password: password,
                                                   UserAttributes: [{ Name: "email", Value: email }] }),
  confirm: (email, code) => cognito("ConfirmSignUp", { Username: email, ConfirmationCode: code }),
  resend: (email) => cognito("ResendConfirmationCode", { Username: email }),
  signIn: async (email, password) => (await cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password } })).AuthenticationResult.IdToken,
  signOut: () => {},  // the token lives in this page's sessionStorage only
};

function script(src) {
  return new Promise((resolve, reject) => document.head.append(Object.assign(document.createElement("script"), {
    src, onload: resolve, onerror: () => reject(new Error(`Could not load ${src}.`)) })));
}

const useSdk = new URLSearchParams(location.search).has("sdk");
const auth = useSdk
  ? script("/amazon-cognito-identity.min.js").then(() => script("/sdk-auth.js")).then(() => window.sdkAuth(config))
  : Promise.resolve(plainAuth);
auth.then((chosen) => {
  const other = Object.assign(document.createElement("a"), { href: useSdk ? "/" : "/?sdk",
    textContent: useSdk ? "the plain version" : "the SDK version" });
  $("way").replaceChildren(`Signing in with ${chosen.way} · try `, other);
}, (error) => show(error.message, true));

// The API wants the ID token as is in Authorization (a REST API's Cognito authorizer: no "Bearer " prefix).
async function api(method, body) {
  let response;
  try {
    response = await fetch(`${config.apiUrl}/messages`, {
      method,
      headers: { "Authorization": idToken, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {  // no answer the page may read: the network, or an answer without this page's CORS origin
    throw new Error(`Could not reach the API (${error.message}).`);
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) {
    signOut({ keepDraft: true });
    throw new Error("Your session has ended: sign in again.");
  }
  if (!response.ok) throw new Error(data.message || `the API answered ${response.status}`);
  return data;
}

function render() {
  const signedIn = Boolean(idToken);
  $("auth").hidden = signedIn;
  $("contact").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("who").textContent = sessionStorage.getItem("email") || "";
  $("who").hidden = !signedIn || !$("who").textContent;
}

// Each message as text (textContent, never innerHTML: a message is whatever a visitor typed).
function messageItem(m) {
  const who = Object.assign(document.createElement("span"), { className: "who", textContent: m.name });
  const when = Object.assign(document.createElement("time"), {
    dateTime: m.createdAt, textContent: new Date(m.createdAt).toLocaleString() });
  const meta = Object.assign(document.createElement("p"), { className: "meta" });
  meta.append(who, " · ", when);
  const text = Object.assign(document.createElement("p"), { className: "text", textContent: m.message });
  const item = document.createElement("li");
  item.append(meta, text);
  return item;
}

async function loadMessages() {
  const { messages } = await api("GET");
  $("messages").replaceChildren(...messages.map(messageItem));
  $("no-messages").hidden = messages.length > 0;
}

// Back to the signed-out page: no token, empty forms, the first banner. A session that ended keeps the message
// being written, to send after signing in again.
function signOut({ keepDraft = false } = {}) {
  auth.then((chosen) => chosen.signOut(), () => {});
  idToken = null;
  pendingEmail = null;
  sessionStorage.removeItem("idToken");
  sessionStorage.removeItem("email");
  for (const form of document.forms) if (!(keepDraft && form.id === "send")) form.reset();
  $("confirm").hidden = true;
  $("messages").replaceChildren();
  $("no-messages").hidden = true;
  show("Signed out. Sign in to send a message.");
  show("", false, $("confirm-status"));
  render();
}

$("sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  await busy(event.submitter || event.target.querySelector("button"), "Signing up…", async () => {
    try {
      const email = form.get("email");
      await (await auth).signUp(email, form.get("password"));
      pendingEmail = email;
      $("confirm").hidden = false;
      show("", false, $("confirm-status"));
      show(`We sent a code to ${email}.`);
    } catch (error) { show(error.message, true); }
  });
  if (!$("confirm").hidden) $("confirm").elements.code.focus();
});

$("confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = new FormData(event.target).get("code");
  await busy(event.submitter || event.target.querySelector("button"), "Confirming…", async () => {
    try {
      await (await auth).confirm(pendingEmail, code);
      $("confirm").hidden = true;
      $("confirm").reset();
      $("sign-up").reset();  // its password too: nothing typed is left on the page
      $("sign-in").reset();
      $("sign-in").elements.email.value = pendingEmail;
      show("", false, $("confirm-status"));
      show("Confirmed: now sign in.");
    } catch (error) { show(error.message, true); }
  });
  if ($("confirm").hidden) $("sign-in").elements.password.focus();
});

$("resend").addEventListener("click", (event) => busy(event.target, "Sending…", async () => {
  try {
    await (await auth).resend(pendingEmail);
    show(`We sent a new code to ${pendingEmail}.`, false, $("confirm-status"));
  } catch (error) { show(error.message, true, $("confirm-status")); }
}));

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  await busy(event.submitter || event.target.querySelector("button"), "Signing in…", async () => {
    try {
      const email = form.get("email");
      idToken = await (await auth).signIn(email, form.get("password"));
      sessionStorage.setItem("idToken", idToken);
      sessionStorage.setItem("email", email);
      event.target.reset();
      render();
      show(`Signed in as ${email}.`);
      await loadMessages();
    } catch (error) { show(error.message, true); }
  });
});

$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  await busy(event.submitter || event.target.querySelector("button"), "Sending…", async () => {
    try {
      await api("POST", { name: form.get("name"), message: form.get("message") });
      event.target.reset();
      show("Sent. Thank you!");
      await loadMessages();
    } catch (error) { show(error.message, true); }
  });
});

$("sign-out").addEventListener("click", () => signOut());

render();
if (idToken) {  // a reload in the same tab: still signed in
  show(sessionStorage.getItem("email") ? `Signed in as ${sessionStorage.getItem("email")}.` : "Signed in.");
  loadMessages().catch((error) => show(error.message, true));
}
