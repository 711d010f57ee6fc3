export { createSignedFormToken, verifySignedFormToken, type FormTokenCheck } from './formToken';
export { markup, SafeHtml, type Interpolation } from './markup';
export { PAGE_CSS, redirect, renderDocument, type DocumentContent } from './page';
export { MAX_FORM_BYTES, readFormBody, type FormBodyRequest } from './readFormBody';
