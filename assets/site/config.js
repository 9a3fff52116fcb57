// Replaced by the notebooks (09 API Gateway, 11 end to end) with your deployment's values.
window.CONTACT_CONFIG = {
  region: "us-east-1",
  userPoolId: "",
  clientId: "",
  cognitoEndpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
  apiUrl: "",
};
