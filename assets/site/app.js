// The contact page: sign up / sign in with Cognito, then send and list messages through the API.
// Plain fetch calls, no SDK: what the browser sends is what you would see in its network tab.
// config.js (written by the notebooks) sets window.CONTACT_CONFIG = {region, userPoolId, clientId, cognitoEndpoint, apiUrl}.
const config = window.CONTACT_CONFIG;
const $ = (id) => document.getElementById(id);
let idToken = sessionStorage.getItem("idToken");

function show(message, isError = false) {
  $("status").textContent = message;
  $("status").className = isError ? "error" : "";
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

// The API wants the ID token as is in Authorization (a REST API's Cognito authorizer: no "Bearer " prefix).
async function api(method, body) {
  const response = await fetch(`${config.apiUrl}/messages`, {
    method,
    headers: { "Authorization": idToken, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) { signOut(); throw new Error("Your session has ended: sign in again."); }
  if (!response.ok) throw new Error(data.message || `the API answered ${response.status}`);
  return data;
}

function render() {
  $("auth").hidden = Boolean(idToken);
  $("contact").hidden = !idToken;
}

async function loadMessages() {
  const { messages } = await api("GET");
  $("messages").replaceChildren(...messages.map((m) => {
    const item = document.createElement("li");
    item.textContent = `${new Date(m.createdAt).toLocaleString()} — ${m.name}: ${m.message}`;
    return item;
  }));
}

function signOut() {
  idToken = null;
  sessionStorage.removeItem("idToken");
  render();
}

let pendingEmail = null;

$("sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    pendingEmail = form.get("email");
    await cognito("SignUp", { Username: pendingEmail, Password: form.get("password"),
                              UserAttributes: [{ Name: "email", Value: pendingEmail }] });
    $("confirm").hidden = false;
    show(`We sent a code to ${pendingEmail}.`);
  } catch (error) { show(error.message, true); }
});

$("confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await cognito("ConfirmSignUp", { Username: pendingEmail, ConfirmationCode: new FormData(event.target).get("code") });
    $("confirm").hidden = true;
    show("Confirmed: now sign in.");
  } catch (error) { show(error.message, true); }
});

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const result = await cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: form.get("email"), PASSWORD: form.get("password") } });
    idToken = result.AuthenticationResult.IdToken;
    sessionStorage.setItem("idToken", idToken);
    render();
    show(`Signed in as ${form.get("email")}.`);
    await loadMessages();
  } catch (error) { show(error.message, true); }
});

$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api("POST", { name: form.get("name"), message: form.get("message") });
    event.target.reset();
    show("Sent. Thank you!");
    await loadMessages();
  } catch (error) { show(error.message, true); }
});

$("sign-out").addEventListener("click", signOut);

render();
if (idToken) loadMessages().catch((error) => show(error.message, true));
