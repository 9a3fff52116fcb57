// The contact page's sign-up and sign-in through amazon-cognito-identity-js (the library Amplify's first versions
// and most front-end tutorials use), loaded by app.js for /?sdk. Sign-in is USER_SRP_AUTH: the password never
// leaves the browser, it proves it knows it (SRP). The library is vendored beside this file
// (amazon-cognito-identity.min.js, npm amazon-cognito-identity-js at the version of tests/clients/node).
// window.sdkAuth(config) returns the same four calls as app.js's plain ones.
window.sdkAuth = (config) => {
  const { CognitoUserPool, CognitoUser, CognitoUserAttribute, AuthenticationDetails } = window.AmazonCognitoIdentity;
  const pool = new CognitoUserPool({ UserPoolId: config.userPoolId, ClientId: config.clientId,
                                     endpoint: config.cognitoEndpoint });
  const user = (email) => new CognitoUser({ Username: email, Pool: pool });
  // The library answers by callback: each call becomes a promise, failing with Cognito's own message.
  const call = (run) => new Promise((resolve, reject) =>
    run((error, result) => (error ? reject(new Error(error.message || error.code)) : resolve(result))));
  return {
    way: "amazon-cognito-identity-js (USER_SRP_AUTH)",
    signUp: (email, password) => call((done) => pool.signUp(
      email, password, [new CognitoUserAttribute({ Name: "email", Value: email })], null, done)),
    confirm: (email, code) => call((done) => user(email).confirmRegistration(code, true, done)),
    resend: (email) => call((done) => user(email).resendConfirmationCode(done)),
    signIn: (email, password) => new Promise((resolve, reject) => user(email).authenticateUser(
      new AuthenticationDetails({ Username: email, Password: password }), {
        onSuccess: (session) => resolve(session.getIdToken().getJwtToken()),
        onFailure: (error) => reject(new Error(error.message || error.code)),
        newPasswordRequired: () => reject(new Error("This account needs a new password: set one with the AWS CLI.")),
      })),
    // The library keeps the session in localStorage: signing out of the page forgets it there too.
    signOut: () => { const current = pool.getCurrentUser(); if (current) current.signOut(); },
  };
};
