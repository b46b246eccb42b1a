/**
 * Expectations about the seeded demo data, written out by hand (not computed by the code
 * under test) and shared by the tests that need them.
 */

/** The demo Wacht user's organizations in the contract's order: lowercase, code units (so 'å' after 'z'). */
export const WACHT_DEMO_NAMES_ASC = [
  '42 Robotics',
  'acme corp',
  'Globex',
  'Initech & Partners',
  "O'Reilly-Vance Holdings, Ltd.",
  'umbrella-labs',
  'Zeta Systems',
  'Ångström Analytics',
];
