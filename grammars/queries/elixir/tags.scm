; Cartograph tags for Elixir: modules and protocols, functions and macros, struct
; fields, calls and module references, alias/import/use/require, bindings and
; locals, and the service patterns of its common libraries (Phoenix and Plug
; routers, HTTPoison, Req, Tesla and Finch calls, gRPC servers and stubs).

(call
  target: (identifier) @_m
  (arguments . (alias) @name)
  (#match? @_m "^(defmodule|defprotocol)$")) @definition.module
(call
  target: (identifier) @_d
  (arguments . [
    (identifier) @name
    (call target: (identifier) @name)
    (binary_operator left: (call target: (identifier) @name) operator: "when")])
  (#match? @_d "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp)$")) @definition.function
; `defstruct [:id, name: nil]`: fields of the module
(call
  target: (identifier) @_s
  (arguments (list [(atom) @name (keywords (pair key: (keyword) @name))]))
  (#eq? @_s "defstruct")) @definition.field
(call
  target: (identifier) @_s
  (arguments (keywords (pair key: (keyword) @name)))
  (#eq? @_s "defstruct")) @definition.field
; `@base_url "http://..."`: a module attribute (not a documentation or type one)
(unary_operator
  operator: "@"
  operand: (call target: (identifier) @name (arguments . (_)))
  (#not-match? @name "^(doc|moduledoc|typedoc|spec|type|typep|opaque|callback|macrocallback|impl|behaviour|derive|enforce_keys|dialyzer|compile|deprecated|since|external_resource|on_load|before_compile|after_compile|optional_callbacks)$")) @definition.constant

; references: local and remote calls, pipes, module names
(call
  target: (identifier) @name
  (#not-match? @name "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable|alias|case|cond|else|for|if|import|quote|raise|receive|require|reraise|super|throw|try|unless|unquote|unquote_splicing|use|with|fn|doc|moduledoc|typedoc|spec|impl|behaviour|callback)$")) @reference.call
(call target: (dot left: (_) right: (identifier) @name)) @reference.call
(binary_operator operator: "|>" right: (identifier) @name) @reference.call
(alias) @name @reference.type
; `use GenServer`, `@behaviour Plug`: what the module builds on
(call
  target: (identifier) @_u
  (arguments . (alias) @name)
  (#eq? @_u "use")) @reference.inherit
(unary_operator
  operator: "@"
  operand: (call target: (identifier) @_b (arguments . (alias) @name))
  (#eq? @_b "behaviour")) @reference.implement

; gRPC (grpc-elixir): `use GRPC.Server, service: Helloworld.Greeter.Service`: the
; module answers the rpcs of service `Greeter` (its functions, `say_hello`)
(call
  target: (identifier) @_u
  (arguments . (alias) @_g (keywords (pair key: (keyword) @_k value: (alias) @name)))
  (#eq? @_u "use")
  (#eq? @_g "GRPC.Server")
  (#match? @_k "^service")) @reference.inherit

; imports: `alias Shop.Cart`, `import Shop.Helpers`, `require Logger`
(call
  target: (identifier) @_i
  (arguments . (alias) @import.module)
  (#match? @_i "^(alias|import|require)$")) @import
; `alias Plug.Session.COOKIE, as: CookieStore`: the module under another name
(call
  target: (identifier) @_i
  (arguments . (alias) @import.module (keywords (pair key: (keyword) @_k value: (alias) @import.alias)))
  (#eq? @_i "alias")
  (#match? @_k "^as")) @import

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and names bound by `=`
(call
  target: (identifier) @_d
  (arguments . (call (arguments (identifier) @local)))
  (#match? @_d "^(def|defp|defmacro|defmacrop)$"))
(binary_operator left: (identifier) @local operator: "=")
(stab_clause left: (arguments (identifier) @local))

; HTTP routes. Phoenix: `get "/cart/:id", CartController, :show` under
; `scope "/api", ShopWeb do ... end` (the action is a call of the controller's
; function); Plug.Router: `get "/hello" do ... end`.
(call
  target: (identifier) @_v
  (arguments . (string) . (alias) . (atom) @name)
  (#match? @_v "^(get|post|put|patch|delete|head|options)$")) @reference.call
(call
  target: (identifier) @http.method
  (arguments . (string) @http.path . (alias) . (atom) @http.handler)
  (#match? @http.method "^(get|post|put|patch|delete|head|options)$")) @http.route
(call
  target: (identifier) @http.method
  (arguments . (string) @http.path . (alias) @http.handler)
  (#eq? @http.method "resources")) @http.route
(call
  target: (identifier) @http.method
  (arguments . (string) @http.path .)
  (do_block)
  (#match? @http.method "^(get|post|put|patch|delete|head|options|match)$")) @http.route
(call
  target: (identifier) @_s
  (arguments . (string) @http.prefix)
  (do_block)
  (#eq? @_s "scope")) @http.scope

; HTTP calls: `HTTPoison.get(url)`, `Req.post!(url, json: ..)`, `Req.get(url: url)`,
; `Tesla.get(client, "/path")`, `Finch.build(:get, url)`
(call
  target: (dot left: (alias) @_c right: (identifier) @http.method)
  (arguments . (_) @http.url)
  (#match? @_c "^(HTTPoison|Req|HTTPotion|Mojito)$")
  (#match? @http.method "^(get|post|put|patch|delete|head|request)!?$")) @http.call
(call
  target: (dot left: (alias) @_c right: (identifier) @_m)
  (arguments . (atom) @http.method . (_) @http.url)
  (#match? @_c "^(Finch|HTTPoison)$")
  (#match? @_m "^(build|request!?)$")) @http.call

; constants URLs are built from: `@base_url "http://cart:8080"`, `url = "http://.."`
(unary_operator
  operator: "@"
  operand: (call target: (identifier) @const.name (arguments . (_) @const.value)))
(binary_operator left: (identifier) @const.name operator: "=" right: (_) @const.value)
