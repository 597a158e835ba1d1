// R4 in words: after verifying, the user creates a password with "Glömt ditt lösenord?" on the
// login page. The verification mails and the page after verifying all say it with these
// words, so the button's name cannot drift between them. Words only: each medium adds its own
// markup (inline styles in mails, classes on the page), and the login URL is LOGIN_URL,
// passed to both as `loginUrl`.

/** The login page's button, in Swedish on every page and mail: the login page is Swedish. */
export const FORGOT_PASSWORD = 'Glömt ditt lösenord?';

type Emphasis = (text: string) => string;
const plain: Emphasis = (text) => text;

export const NEXT_STEP = {
  sv: {
    heading: 'Nästa steg: skapa ditt lösenord',
    button: `”${FORGOT_PASSWORD}”`,
    choose: (strong: Emphasis = plain) =>
      `Välj ${strong(`”${FORGOT_PASSWORD}”`)} och följ instruktionerna för att skapa ditt lösenord.`,
  },
  en: {
    heading: 'Next step: create your password',
    /** The Swedish name with its English meaning, where English readers meet it. */
    button: `“${FORGOT_PASSWORD}” (Forgot your password?)`,
    choose: (strong: Emphasis = plain) =>
      `Choose ${strong(`“${FORGOT_PASSWORD}”`)} (Forgot your password?) and follow the instructions to create your password.`,
  },
} as const;
