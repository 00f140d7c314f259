import fs from "node:fs";
import path from "node:path";
import { accounts, type DemoAccount, savedLogin, signIn, test as setup } from "./fixtures";

// Each demo account signs in once per run; the specs start from these saved logins.
setup.describe.configure({ mode: "parallel" });

for (const who of Object.keys(accounts) as DemoAccount[]) {
  setup(`the ${who} signs in once for the whole run`, async ({ page }) => {
    await signIn(page, accounts[who]);
    fs.mkdirSync(path.dirname(savedLogin(who)), { recursive: true });
    await page.context().storageState({ path: savedLogin(who) });
  });
}
