// Verify a Cognito ID token with aws-jwt-verify (it fetches the pool's keys from the token's issuer) and fetch a
// URL with node's fetch: two things node programs do that need the local cloud's names and keys.
// usage: node verify_and_fetch.mjs <pool id> <client id> <id token> <url>
// Prints one JSON line: {"verified": {...payload} | {"error": ...}, "fetched": {"status": n} | {"error": ...}}.
import { CognitoJwtVerifier } from "aws-jwt-verify";

const [userPoolId, clientId, token, url] = process.argv.slice(2);
const out = {};
try {
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: "id" });
  out.verified = await verifier.verify(token);
} catch (err) {
  out.verified = { error: `${err.name}: ${err.message}` };
}
try {
  const answer = await fetch(url);
  out.fetched = { status: answer.status };
} catch (err) {
  out.fetched = { error: `${err.name}: ${(err.cause && err.cause.code) || err.message}` };
}
console.log(JSON.stringify(out));
