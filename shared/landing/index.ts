export { confirmActivation, type ConfirmActivationDeps, type ConfirmActivationInput, type ConfirmOutcome } from './confirmActivation';
export { createFormToken, verifyFormToken, type FormTokenCheck } from './formToken';
export { landingDependencies, type LandingAppDependencies, type LandingDeps } from './landingDependencies';
export { decideLandingState, LANDING_STATES, type ActivationMode, type LandingState } from './landingState';
export { openLandingPage, type LandingOutcome, type OpenLandingPageDeps, type OpenLandingPageInput } from './openLandingPage';
export { readPurchaseToken, type PurchaseTokenResult } from './purchaseToken';
export { serveActivationForm, type ActivationFormRequest } from './serveActivationForm';
export { serveLandingPage, type LandingRequest } from './serveLandingPage';
export { readSignedInUser, signInLocation, type SignedInUser } from '../web/signedInUser';
