// Sign in with amazon-cognito-identity-js (USER_SRP_AUTH, as browser apps and Amplify do) against the endpoint given.
// usage: node cognito_sign_in.mjs <endpoint> <pool id> <client id> <username> <password>
// Prints one JSON line: {"ok": true, "idTokenPayload": {...}} or {"ok": false, "code": ..., "message": ...}.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, UserPoolId, ClientId, Username, Password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
const user = new CognitoUser({ Username, Pool: pool });
user.authenticateUser(new AuthenticationDetails({ Username, Password }), {
  onSuccess: (session) => console.log(JSON.stringify({ ok: true, idTokenPayload: session.getIdToken().decodePayload() })),
  onFailure: (err) => console.log(JSON.stringify({ ok: false, code: err.code || err.name, message: err.message })),
  newPasswordRequired: () => console.log(JSON.stringify({ ok: false, code: "NEW_PASSWORD_REQUIRED" })),
});
