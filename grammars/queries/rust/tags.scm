; Cartograph tags for Rust. Extends the tags query shipped by tree-sitter-rust
; with fields, constants, type aliases, macros, impl containers and imports.

(struct_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(union_item name: (type_identifier) @name) @definition.struct
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(mod_item name: (identifier) @name) @definition.module
(macro_definition name: (identifier) @name) @definition.macro
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(enum_variant name: (identifier) @name) @definition.enum_member
(field_declaration_list (field_declaration name: (field_identifier) @name) @definition.field)

(impl_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_signature_item name: (identifier) @name) @definition.method))
(source_file (function_item name: (identifier) @name) @definition.function)
(mod_item body: (declaration_list (function_item name: (identifier) @name) @definition.function))
(block (function_item name: (identifier) @name) @definition.function)

; impl blocks qualify their items with the implemented type
(impl_item type: [(type_identifier) @container.name
                  (generic_type type: (type_identifier) @container.name)
                  (scoped_type_identifier name: (type_identifier) @container.name)]) @container
; `impl Trait for &'a mut Serializer<W>`: the type behind the reference
(impl_item type: (reference_type type: [(type_identifier) @container.name
                  (generic_type type: (type_identifier) @container.name)
                  (scoped_type_identifier name: (type_identifier) @container.name)])) @container

; references
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(call_expression function: (scoped_identifier name: (identifier) @name)) @reference.call
(call_expression function: (generic_function function: (identifier) @name)) @reference.call
(call_expression function: (generic_function function: (scoped_identifier name: (identifier) @name))) @reference.call
(call_expression function: (generic_function function: (field_expression field: (field_identifier) @name))) @reference.call
(macro_invocation macro: (identifier) @name) @reference.macro
(macro_invocation macro: (scoped_identifier name: (identifier) @name)) @reference.macro
(struct_expression name: (type_identifier) @name) @reference.call
(struct_expression name: (scoped_type_identifier name: (type_identifier) @name)) @reference.call

(impl_item trait: (type_identifier) @name) @reference.implement
(impl_item trait: (scoped_type_identifier name: (type_identifier) @name)) @reference.implement
(impl_item trait: (generic_type type: (type_identifier) @name)) @reference.implement
(trait_bounds (type_identifier) @name) @reference.inherit

(type_identifier) @name @reference.type

; other uses: fields read or written, path segments (`Parser::new`, `ast::Ast`,
; `Kind::Variant`), and calls inside macro arguments (`assert!(is_word(b))`)
(field_expression field: (field_identifier) @name) @reference.other
(scoped_identifier path: (identifier) @name) @reference.type
(scoped_identifier path: (crate) @name) @reference.module
(scoped_use_list path: (crate) @name) @reference.module
(scoped_identifier name: (identifier) @name) @reference.other
(scoped_type_identifier path: (identifier) @name) @reference.type
; struct literal fields, read as members of the struct (`Hir { kind, props: p }`)
(struct_expression body: (field_initializer_list (shorthand_field_initializer (identifier) @name))) @reference.other
(struct_expression body: (field_initializer_list (field_initializer field: (field_identifier) @name))) @reference.other
(token_tree (identifier) @name . (token_tree)) @reference.call
(token_tree (identifier) @name . "!" . (token_tree)) @reference.macro
(tuple_struct_pattern type: (identifier) @name) @reference.other
(struct_pattern (field_pattern name: (shorthand_field_identifier) @name)) @reference.other
(struct_pattern (field_pattern name: (field_identifier) @name)) @reference.other
(match_pattern (identifier) @name (#match? @name "^[A-Z]")) @reference.other

; imports
(use_declaration argument: (_) @import.module) @import
(use_declaration argument: (scoped_identifier name: (identifier) @name) @reference.import)
(use_list (identifier) @name @reference.import)
(use_list (scoped_identifier name: (identifier) @name) @reference.import)
(use_as_clause path: (scoped_identifier name: (identifier) @name) @reference.import)
(extern_crate_declaration name: (identifier) @import.module) @import

; bindings: typed lets and parameters, and lets of constructor calls
(let_declaration pattern: (identifier) @binding.name type: [(type_identifier) @binding.type (reference_type type: (type_identifier) @binding.type)])
; generics hold what their argument is (`Arc<Item>`), collections their elements
; (`Vec<Item>`, `&[Item]`: see `written_type`)
(let_declaration pattern: (identifier) @binding.name type: [(generic_type) (array_type) (reference_type type: [(generic_type) (array_type)])] @binding.type)
(parameter pattern: (identifier) @binding.name type: [(generic_type) (array_type) (reference_type type: [(generic_type) (array_type)])] @binding.type)
; a value a function or method returns (`let cart = shop.cart()?;`): typed by what it
; declares it returns
(let_declaration pattern: (identifier) @binding.name !type value: [
  (call_expression function: [(identifier) @binding.type (field_expression field: (field_identifier) @binding.type)])
  (try_expression (call_expression function: [(identifier) @binding.type (field_expression field: (field_identifier) @binding.type)]))
  (await_expression (call_expression function: (field_expression field: (field_identifier) @binding.type)))
  (try_expression (await_expression (call_expression function: (field_expression field: (field_identifier) @binding.type))))]
  (#not-match? @binding.type "^(unwrap|expect|unwrap_or_default)$"))
(let_declaration pattern: (identifier) @binding.name !type value: (call_expression
  function: (field_expression
    value: (call_expression function: [(identifier) @binding.type (field_expression field: (field_identifier) @binding.type)])
    field: (field_identifier) @_unwrap))
  (#match? @_unwrap "^(unwrap|expect|unwrap_or_default)$"))
; elements of a collection: `for x in &xs`, and the first parameter of a closure that
; iterates (`xs.iter().map(|x| ..)`)
(for_expression pattern: (identifier) @element.name value: (_) @element.of) @element.scope
; an element taken by index (`let first = &self.items[0];`), to the end of its block
(block (let_declaration pattern: (identifier) @element.name !type value: [
  (index_expression . (_) @element.of)
  (reference_expression value: (index_expression . (_) @element.of))])) @element.scope
(call_expression
  function: (field_expression value: (_) @element.of field: (field_identifier) @_iterates)
  arguments: (arguments . (closure_expression parameters: (closure_parameters . [(identifier) @element.name (reference_pattern (identifier) @element.name)])) @element.scope)
  (#match? @_iterates "^(map|for_each|filter|filter_map|flat_map|find|find_map|any|all|position|take_while|skip_while|inspect|max_by_key|min_by_key)$"))
(let_declaration pattern: (identifier) @binding.name value: (call_expression function: (scoped_identifier path: (identifier) @binding.type)))
(let_declaration pattern: (identifier) @binding.name value: (struct_expression name: (type_identifier) @binding.type))
(parameter pattern: (identifier) @binding.name type: [(type_identifier) @binding.type (reference_type type: (type_identifier) @binding.type)])

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and names bound inside definitions
(parameter pattern: (identifier) @local)
(closure_parameters (identifier) @local)
(let_declaration pattern: (identifier) @local)
(for_expression pattern: (identifier) @local)
(tuple_pattern (identifier) @local)
(ref_pattern (identifier) @local)

; bindings: `let mut client = CartServiceClient::connect(addr).await?;`
(let_declaration pattern: (identifier) @binding.name value: (try_expression (await_expression (call_expression function: (scoped_identifier path: (identifier) @binding.type)))))
(let_declaration pattern: (identifier) @binding.name value: (await_expression (call_expression function: (scoped_identifier path: (identifier) @binding.type))))
(let_declaration pattern: (identifier) @binding.name value: (try_expression (call_expression function: (scoped_identifier path: (identifier) @binding.type))))

; HTTP routes: axum `Router::new().route("/recommendations/:user", get(handler))`
(call_expression
  function: (field_expression field: (field_identifier) @_r)
  arguments: (arguments . (string_literal) @http.path . (call_expression function: (identifier) @http.method arguments: (arguments (identifier) @http.handler)))
  (#eq? @_r "route")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
; HTTP routes: actix `#[get("/items/{id}")] async fn item(..)`
((attribute_item (attribute (identifier) @http.method arguments: (token_tree . (string_literal) @http.path))) @http.route
  .
  (function_item name: (identifier) @http.handler)
  (#match? @http.method "^(get|post|put|delete|patch)$"))
; actix `cfg.route("/items", web::get().to(handler))`
(call_expression
  function: (field_expression field: (field_identifier) @_r)
  arguments: (arguments . (string_literal) @http.path . (call_expression function: (field_expression value: (call_expression function: (scoped_identifier name: (identifier) @http.method)) field: (field_identifier) @_to) arguments: (arguments (identifier) @http.handler)))
  (#eq? @_r "route")
  (#eq? @_to "to")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
; actix `web::resource("/users/{id}").route(web::get().to(handler))`
(call_expression
  function: (field_expression value: (call_expression function: (scoped_identifier name: (identifier) @_res) arguments: (arguments . (string_literal) @http.path)) field: (field_identifier) @_r)
  arguments: (arguments (call_expression function: (field_expression value: (call_expression function: (scoped_identifier name: (identifier) @http.method)) field: (field_identifier) @_to) arguments: (arguments (identifier) @http.handler)))
  (#eq? @_res "resource")
  (#eq? @_r "route")
  (#eq? @_to "to")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
; HTTP calls: `reqwest::get(url)`, `client.post(url)`
(call_expression
  function: (scoped_identifier path: (identifier) @_c name: (identifier) @http.method)
  arguments: (arguments . (_) @http.url)
  (#eq? @_c "reqwest")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
(call_expression
  function: (field_expression value: (identifier) @_c field: (field_identifier) @http.method)
  arguments: (arguments . (_) @http.url)
  (#match? @_c "^(client|http|http_client)$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
; Literal paths and URLs passed to calls, and addresses and parameters passed on: where
; a function that makes its request with what it is given (a wrapper:
; `proxy_post(&client, &settings.ai_url, "/generate")`) is used.
(call_expression arguments: (arguments (string_literal) @call.value
  (#match? @call.value "^\"(/|https?://)")))
(call_expression arguments: (arguments [(identifier) (field_expression) (reference_expression)] @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route|addr|host|base)[a-z_]*$")))

; constants URLs are built from
(const_item name: (identifier) @const.name value: (_) @const.value)
(static_item name: (identifier) @const.name value: (_) @const.value)
(let_declaration pattern: (identifier) @const.name value: (_) @const.value)

; message topics. NATS (async-nats): `client.publish("subject", payload)`,
; `client.request(...)`, `client.subscribe("subject")`, `client.queue_subscribe(...)`;
; Kafka (rdkafka): `FutureRecord::to("topic")`, `consumer.subscribe(&["topic"])`
(call_expression
  function: (field_expression field: (field_identifier) @_m)
  arguments: (arguments . (_) @topic.name . (_) .)
  (#match? @_m "^(publish|request)$")) @topic.produce
(call_expression
  function: (field_expression field: (field_identifier) @_m)
  arguments: (arguments . (_) @topic.name)
  (#match? @_m "^(subscribe|queue_subscribe)$")) @topic.consume
(call_expression
  function: (scoped_identifier path: (identifier) @_t name: (identifier) @_f)
  arguments: (arguments . (_) @topic.name)
  (#match? @_t "^(FutureRecord|BaseRecord)$")
  (#eq? @_f "to")) @topic.produce
; RabbitMQ (lapin): `channel.basic_publish(exchange, routing_key, ...)`: the exchange
; names the topic unless it is the default ("") one, where the key is the queue;
; `basic_consume(queue, tag, ...)`, `queue_bind(queue, exchange, key, ...)`
(call_expression
  function: (field_expression field: (field_identifier) @_m)
  arguments: (arguments . (_) @topic.exchange . (_) @topic.name)
  (#eq? @_m "basic_publish")) @topic.produce
(call_expression
  function: (field_expression field: (field_identifier) @_m)
  arguments: (arguments . (_) @topic.name . (_))
  (#eq? @_m "basic_consume")) @topic.consume
(call_expression
  function: (field_expression field: (field_identifier) @_m)
  arguments: (arguments . (_) . (_) @topic.name)
  (#eq? @_m "queue_bind")) @topic.consume
