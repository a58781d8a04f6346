/** Side-effect import: installs the local Functions core before anything registers. Import it first. */
import { installFunctionsCore } from "./functionsCore";

installFunctionsCore();
