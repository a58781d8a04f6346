/**
 * Entry point the Functions host loads (`main` in package.json): validates settings, then
 * registers every function. A missing or wrong setting stops start-up with its name.
 */
import { productionServices } from "./production";
import { registerFunctions } from "./register";

registerFunctions(productionServices());
