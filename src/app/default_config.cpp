#include "dialerd/app/config.hpp"

namespace dialerd::app {

// The config `dialerd` runs on without --config: state in ./var, API on 127.0.0.1:8780, and one
// in-process simulator provider so a campaign runs end to end with no provider account.
std::string_view default_config_text() {
  return R"json({
  // dialerd built-in default config (see etc/dialerd/dialerd.json for every key)
  "listen": { "address": "127.0.0.1", "port": 8780 },
  "state_dir": "./var",
  "log": { "level": "info", "format": "text" },
  "providers": {
    "simulator": {
      "kind": "simulator",
      "simulator": { "delay_ms": 2000 }
    }
  }
})json";
}

}  // namespace dialerd::app
